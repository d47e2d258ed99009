"""docs/operations.md stays true: its YAML parses, and every newsbot metric its
alert rules and tables name is one bot/metrics.py exports."""

from __future__ import annotations

import re

import yaml

from bot.metrics import Metrics
from tests.conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def exported_names() -> set[str]:
    metrics = Metrics()
    metrics.add_platform("telegram")
    names = set()
    for family in metrics.registry.collect():
        names.add(family.name)
        names.update(s.name for s in family.samples)
    return names


def yaml_blocks() -> list[object]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]


def test_scrape_config_and_rules_parse() -> None:
    blocks = yaml_blocks()
    scrape = next(b for b in blocks if isinstance(b, dict) and "scrape_configs" in b)
    assert scrape["scrape_configs"][0]["metrics_path"] == "/metrics"
    rules = next(b for b in blocks if isinstance(b, dict) and "groups" in b)
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {"NewsbotFeedsFailing", "NewsbotOutboxBacklog", "NewsbotPlatformErrors"} <= set(alerts)
    for rule in alerts.values():
        assert rule["expr"].strip() and rule["for"] and rule["labels"]["severity"]


def test_every_metric_named_in_the_doc_is_exported() -> None:
    named = set(re.findall(r"\bnewsbot_[a-z_]+", DOC))
    exported = exported_names()
    missing = {n for n in named if n not in exported and f"{n}_total" not in exported}
    assert not missing, missing
