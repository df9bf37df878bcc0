"""The plugin's options: MkDocs config options made from conceptkb's one declaration.

Each option of :data:`conceptkb.options.OPTIONS` becomes a MkDocs
:class:`~mkdocs.config.base.BaseConfigOption` whose validation is the declaration's
own check, so ``mkdocs build`` and ``conceptkb lint`` accept and refuse exactly the
same values, with the same messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config.base import ValidationError

from conceptkb.options import OPTIONS, Option, OptionError


class CoreOption(base.BaseConfigOption[Any]):
    """One declared option, validated by its declaration."""

    def __init__(self, option: Option) -> None:
        super().__init__()
        self.option = option
        self.default = option.default

    def run_validation(self, value: object) -> Any:
        try:
            return self.option.check(value)
        except OptionError as error:
            raise ValidationError(str(error)) from None


def _config_class() -> type[base.Config]:
    # MkDocs collects a Config subclass's options when the class is created, so the
    # class is made with every declared option as an attribute.
    namespace: dict[str, Any] = {option.name: CoreOption(option) for option in OPTIONS}
    namespace["__doc__"] = "Options of the ``conceptkb`` plugin (see conceptkb.options)."
    return type("ConceptKBConfig", (base.Config,), namespace)


if TYPE_CHECKING:

    class ConceptKBConfig(base.Config):  # type: ignore[no-untyped-call]
        """Options of the ``conceptkb`` plugin (see conceptkb.options)."""

else:
    ConceptKBConfig = _config_class()
