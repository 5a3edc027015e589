"""Build hook: the gettext catalogs (``.po``) compiled to ``.mo`` files inside the wheel.

The repository keeps only the ``.po`` sources; a wheel carries the compiled ``.mo`` (and no
``.po``), so an installed egov reads its language with the standard library alone. An
editable install or a source checkout compiles on first use instead (``egov_cli.i18n``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile ``egov_cli/locale/<lang>/LC_MESSAGES/*.po`` with Babel into the wheel."""

    _out: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._out = Path(tempfile.mkdtemp(prefix="egov-mo-"))
        root = Path(self.root)
        for po in sorted((root / "egov_cli" / "locale").glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(root).with_suffix(".mo")
            target = self._out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with target.open("wb") as compiled:
                write_mo(compiled, catalog)
            build_data["force_include"][str(target)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._out is not None:
            shutil.rmtree(self._out, ignore_errors=True)
