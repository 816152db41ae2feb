"""The loaded lexicon: what the pipeline and the linter hold on to."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from core.errors import ConfigError
from pipelines.classify.lexfile import LexiconFile, parse_lexicon_file
from pipelines.classify.matcher import Matcher, build_matcher
from pipelines.classify.model import NOTHING, Classification, merge_button

ENGINE_VERSION = "1"
"""Bump when normalisation or matching changes, so stored classifications are recomputed."""


@dataclass(frozen=True)
class Lexicon:
    """Every language file of one folder, compiled for matching.

    ``version`` is a sha256 over :data:`ENGINE_VERSION` and each file's name and bytes (files in
    name order): it changes whenever a file is added, removed, renamed or edited, which is the
    pipeline's cue to classify stored replies again.
    """

    version: str
    _sources: tuple[tuple[str, str, bytes], ...] = field(repr=False, compare=False)

    @cached_property
    def _files(self) -> list[LexiconFile]:
        return [
            parse_lexicon_file(source, name.removesuffix(".toml"), data)
            for source, name, data in self._sources
        ]

    @cached_property
    def _matcher(self) -> Matcher:
        # compiled on first use: a load with nothing new to classify only needs the version
        return build_matcher(self._files)

    @property
    def languages(self) -> tuple[str, ...]:
        """Language codes of the files, in file order."""
        return tuple(f.language for f in self._files)

    def check(self) -> None:
        """Parse and compile every file now, raising ConfigError for a bad one."""
        self._matcher  # noqa: B018 - building it is the check

    def classify_text(self, text: str | None) -> Classification:
        """Classify a free-text reply; ``None`` or blank text matches nothing."""
        return self._matcher.classify(text)

    def classify_button(self, payload: str | None, text: str | None) -> Classification:
        """Classify a quick-reply button press from its payload and its label.

        In the payload ``_`` and ``-`` separate words (``STOP_PROMO`` reads as "stop promo").
        Either side may match; see :func:`pipelines.classify.model.merge_button`.
        """
        from_payload = NOTHING
        if payload:
            from_payload = self._matcher.classify(payload.replace("_", " ").replace("-", " "))
        return merge_button(from_payload, self._matcher.classify(text))

    def classify_many(self, texts: Sequence[str | None]) -> list[Classification]:
        """Classify many texts (the pipeline passes each distinct text once), in order."""
        return self._matcher.classify_many(texts)


def load_lexicon(folder: Path | None = None, *, compile_now: bool = True) -> Lexicon:
    """Load every ``*.toml`` lexicon file of ``folder`` (default: the lexicons shipped with wagate).

    Raises :class:`core.errors.ConfigError` naming the file when a file cannot be used. With
    ``compile_now=False`` only the version is computed; the files are parsed and compiled (and
    any such error raised) when the first text is classified.
    """
    sources = _read_folder(folder) if folder is not None else _read_package()
    digest = hashlib.sha256(f"wagate-lexicon/{ENGINE_VERSION}\0".encode())
    for _, name, data in sources:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    lexicon = Lexicon(version=digest.hexdigest(), _sources=tuple(sources))
    if compile_now:
        lexicon.check()
    return lexicon


def _read_folder(folder: Path) -> list[tuple[str, str, bytes]]:
    if not folder.is_dir():
        raise ConfigError(f"lexicon folder {folder} does not exist or is not a folder")
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise ConfigError(f"lexicon folder {folder} has no *.toml files")
    try:
        return [(str(path), path.name, path.read_bytes()) for path in paths]
    except OSError as exc:
        raise ConfigError(f"cannot read lexicon file {exc.filename}: {exc.strerror}") from exc


def _read_package() -> list[tuple[str, str, bytes]]:
    # Anchored on this subpackage rather than on `pipelines`: a folder named `pipelines` without
    # __init__.py earlier on sys.path (tests/pipelines under pytest) makes `pipelines` resolve to
    # a namespace package there, while `pipelines.classify` is always the real one.
    folder: Traversable = resources.files("pipelines.classify").joinpath("..", "lexicons")
    items = sorted((item for item in folder.iterdir() if item.name.endswith(".toml")), key=lambda i: i.name)
    if not items:
        raise ConfigError("the lexicon files shipped with wagate are missing (pipelines/lexicons/*.toml)")
    return [(f"pipelines/lexicons/{item.name}", item.name, item.read_bytes()) for item in items]
