"""The layout rules of ARCHITECTURE.md, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
CHAT_SDKS = ("telegram", "slack_bolt", "slack_sdk")
ML = ("torch", "transformers", "onnxruntime", "optimum")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(exclude: str) -> list[tuple[Path, set[str]]]:
    return [(p, imported_modules(p)) for p in BOT.rglob("*.py") if exclude not in p.relative_to(BOT).parts]


def test_core_never_imports_a_chat_sdk() -> None:
    offenders = [str(p) for p, mods in python_files("adapters") if mods & set(CHAT_SDKS)]
    assert offenders == []


def test_telegram_and_slack_stay_apart() -> None:
    tg = [p for p in (BOT / "adapters" / "telegram").rglob("*.py") if imported_modules(p) & {"slack_bolt", "slack_sdk"}]
    sl = [p for p in (BOT / "adapters" / "slack").rglob("*.py") if "telegram" in imported_modules(p)]
    assert tg == [] and sl == []


def test_only_summarize_imports_torch_or_transformers() -> None:
    offenders = [str(p) for p, mods in python_files("summarize") if mods & set(ML)]
    assert offenders == []


def test_modules_log_through_their_own_logger_and_do_not_print() -> None:
    """Root-logger calls (logging.info(...)) and print() outside the CLI and the
    console-facing modules hide where a message came from."""
    allowed_print = {"cli.py", "console.py"}
    bad = []
    for path in BOT.rglob("*.py"):
        rel = path.relative_to(BOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == "logging"
                    and func.attr in {"debug", "info", "warning", "error", "exception", "critical"}):
                bad.append(f"{rel}:{node.lineno} logs on the root logger")
            if (isinstance(func, ast.Name) and func.id == "print"
                    and path.name not in allowed_print and "evaluation" not in rel.parts):
                bad.append(f"{rel}:{node.lineno} prints")
    assert bad == []
