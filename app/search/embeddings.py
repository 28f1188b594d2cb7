"""Sentence embeddings for re-ranking matches, from a model on local disk only.

`Embed` is any function from texts to vectors: the service loads one from
`CLAIMREVIEW_EMBEDDING_MODEL` (a directory holding a sentence-transformers model, e.g. a
multilingual one so that a post and a claim in different languages meet), and tests give
their own. Nothing is ever downloaded: the hub is switched off before the library loads, and
the model is opened with `local_files_only`.
"""

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]


def load_embedder(path: str) -> Embed:
    """The model at `path` (sentence-transformers, installed with the `semantic` extra)."""
    if not Path(path).is_dir():
        raise RuntimeError(f"CLAIMREVIEW_EMBEDDING_MODEL: no model directory at {path}")
    os.environ["HF_HUB_OFFLINE"] = "1"  # never reach a model hub, whatever the library wants
    try:
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError as error:
        raise RuntimeError(
            "CLAIMREVIEW_EMBEDDING_MODEL needs sentence-transformers: "
            "pip install 'claimreview-api[semantic]'"
        ) from error
    model: Any = SentenceTransformer(path, device="cpu", local_files_only=True)

    def embed(texts: Sequence[str]) -> Sequence[Sequence[float]]:
        vectors: Any = model.encode(list(texts), normalize_embeddings=True)
        return [list(map(float, v)) for v in vectors]

    return embed


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
