"""Template versions: upload (unpack, validate, store), publish, list.

A version is content-addressed: its id is ``<template id>.<first 12 hex of the digest>``
(see :func:`openreel.service.archive.unpack`), so uploading the same folder twice gives the
same version and nothing changes. A version starts as a ``draft``; publishing makes it usable
by campaigns and final: there is no call that changes a version's files, and a published
version cannot be deleted.

Validation is the same as ``openreel validate``: :func:`openreel.template.load_template` then
:func:`openreel.resolve.compile_template`; their errors (``OR-E1xx``/``OR-E2xx``) are returned
with ``file`` relative to the uploaded folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from openreel.errors import OpenReelError, ServiceError
from openreel.resolve import compile_template
from openreel.service.archive import ArchiveLimits, unpack
from openreel.service.storage import Storage, TemplateVersionRow
from openreel.template import Template, load_template

#: Builds the player bundle of a template folder into an empty output folder.
BundleBuilder = Callable[[Path, Path], None]


def web_bundle_builder(events_url: str) -> BundleBuilder:
    """:func:`openreel.web.build_bundle` with this server's events endpoint."""

    def build(template: Path, out: Path) -> None:
        from openreel.web import build_bundle

        build_bundle(template, out, events_url=events_url)

    return build


def _relative(error: OpenReelError, root: Path) -> OpenReelError:
    """A copy of ``error`` (and its related errors) whose ``file`` is relative to ``root``."""

    def rel(file: str | None) -> str | None:
        if file is None:
            return None
        try:
            return Path(file).relative_to(root).as_posix()
        except ValueError:
            return Path(file).name

    items = [
        type(e)(e.code, e.message, file=rel(e.file), path=e.path, hint=e.hint) for e in error.errors
    ]
    head = items[0]
    return type(head)(
        head.code, head.message, file=head.file, path=head.path, hint=head.hint, related=items[1:]
    )


def version_id(template_id: str, digest: str) -> str:
    """``<template id>.<12 hex>``, shaped to the event id pattern (starts alphanumeric)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "", template_id).lstrip("._-")[:40] or "t"
    return f"{base}.{digest[:12]}"


class TemplateRegistry:
    """Template versions stored under ``storage``; ``bundle_builder`` is optional."""

    def __init__(
        self,
        storage: Storage,
        limits: ArchiveLimits,
        bundle_builder: BundleBuilder | None = None,
    ) -> None:
        self.storage = storage
        self.limits = limits
        self.bundle_builder = bundle_builder
        self._models: dict[str, Template] = {}
        self._build_lock = threading.Lock()

    def folder(self, version: str) -> Path:
        return self.storage.folder("templates") / version

    def bundle_folder(self, version: str) -> Path:
        return self.storage.folder("bundles") / version

    def upload(self, data: bytes) -> tuple[TemplateVersionRow, bool]:
        """Store the archive ``data`` as a draft; returns the version and whether it is new."""
        work = Path(tempfile.mkdtemp(prefix="upload-", dir=self.storage.folder("tmp")))
        try:
            dest = work / "x"
            dest.mkdir()
            unpacked = unpack(data, dest, self.limits)
            try:
                loaded = load_template(unpacked.root)
                compile_template(loaded)
            except OpenReelError as exc:
                raise _relative(exc, unpacked.root) from None
            vid = version_id(loaded.model.id, unpacked.digest)
            existing = self.storage.template_version(vid)
            if existing is not None:
                return existing, False
            final = self.folder(vid)
            with contextlib.suppress(OSError):  # another process stored the same content first
                os.rename(unpacked.root, final)
            self.storage.add_template_version(
                vid, loaded.model.id, unpacked.digest, unpacked.size, unpacked.files
            )
            row = self.storage.template_version(vid)
            if row is None:  # pragma: no cover - inserted just above
                raise ServiceError("OR-E611", "the template version was not stored")
            return row, True
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def get(self, version: str) -> TemplateVersionRow:
        row = self.storage.template_version(version)
        if row is None:
            raise ServiceError("OR-E601", "no template version with this id", path="version")
        return row

    def publish(self, version: str) -> TemplateVersionRow:
        """Publish a draft (``OR-E602`` when it is published already), building its bundle
        first when a bundle builder is configured."""
        row = self.get(version)
        if row.status == "published":
            raise ServiceError("OR-E602", "the template version is published already")
        self.ensure_bundle(version)
        if not self.storage.publish_template_version(version):
            raise ServiceError("OR-E602", "the template version is published already")
        return self.get(version)

    def ensure_bundle(self, version: str) -> bool:
        """Build the version's bundle unless it exists; whether it exists afterwards.

        The build goes to a temporary folder renamed into place, so a bundle folder is always
        complete. A missing built player (``FileNotFoundError``) leaves no bundle: the landing
        page then says the video is being prepared, and the next request tries again.
        """
        final = self.bundle_folder(version)
        if final.exists():
            return True
        if self.bundle_builder is None:
            return False
        with self._build_lock:
            if final.exists():
                return True
            work = Path(tempfile.mkdtemp(prefix="bundle-", dir=self.storage.folder("tmp")))
            try:
                self.bundle_builder(self.folder(version), work)
                with contextlib.suppress(OSError):  # another process built it first
                    os.rename(work, final)
            except FileNotFoundError:
                return False
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return final.exists()

    def model(self, version: str) -> Template:
        """The template model of a stored version (cached; versions never change)."""
        model = self._models.get(version)
        if model is None:
            model = self._models[version] = load_template(self.folder(version)).model
        return model

    def source_url(self, version: str) -> str | None:
        """The template's ``source.url`` (the brand's data endpoint)."""
        source = self.model(version).source
        return source.url if source is not None else None

    def delete_draft(self, version: str) -> None:
        """Delete a draft and its files (``OR-E602`` for a published version)."""
        row = self.get(version)
        if row.status == "published" or not self.storage.delete_draft(version):
            raise ServiceError("OR-E602", "a published template version cannot be deleted")
        shutil.rmtree(self.folder(version), ignore_errors=True)
