"""Reading the project's YAML files (checklists, locales, rules, guidance): YAML 1.2 booleans, libyaml's parser.

Kept apart from risk.checklists (pydantic models, conditions) so that what only reads a file, such as the
interface's locale texts on the sign-in page, does not import the checklist models on a first start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from risk.errors import ChecklistError


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.2 booleans: only true/false. In YAML 1.1 `yes`/`no`/`on` are booleans, which would
    silently turn the answer `yes` (and the condition operator `yes:`) into True. On libyaml's parser where
    PyYAML has it (the same safe constructor and resolver): the pure-Python one took 1.7 s of a first start."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as e:
        raise ChecklistError([f"{path.name}: not valid YAML: {e}"]) from None
    except OSError as e:
        raise ChecklistError([f"{path}: cannot be read: {e.strerror}"]) from None
