"""One-line errors of the command line: ``<key> = <value>: <what is allowed>``.

Every command says what is wrong with its input in one line naming the key,
the value and what is allowed, and stops with exit status 2 having written
nothing. This module turns argparse's, Hydra's and OmegaConf's errors into
such lines, looking up what is allowed in the typed config schema.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any, Collection

from sim.config import RunConfig, _resolve_type, list_item_type
from sim.config_loading import CONF_DIR, market_presets, read_yaml

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """A command-line option is wrong (raised by :class:`OneLineParser`)."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``<option> = <value>: <what
    is allowed>`` (:class:`UsageError`), with the usage as what is allowed."""

    def error(self, message: str) -> None:  # type: ignore[override]
        usage = one_line(self.format_usage()).removeprefix("usage: ")
        raise UsageError(f"{_argparse_key_value(message)}: {_argparse_problem(message)}; usage: {usage}")


def _argparse_key_value(message: str) -> str:
    """``key = value`` of one of argparse's error messages."""
    if message.startswith("unrecognized arguments: "):
        return f"option = {message.split(': ', 1)[1]!r}"
    if message.startswith("the following arguments are required: "):
        return f"{message.split(': ', 1)[1]} = (missing)"
    if message.startswith("argument "):
        option, _, detail = message[len("argument ") :].partition(": ")
        value = detail.rsplit(": ", 1)[1] if ": " in detail else "(missing)"
        return f"{option.split('/')[0]} = {value}"
    return f"option = {message!r}"


def _argparse_problem(message: str) -> str:
    if message.startswith("unrecognized arguments: "):
        return "unknown option"
    if message.startswith("the following arguments are required: "):
        return "required"
    detail = message.partition(": ")[2]
    return detail.rsplit(": ", 1)[0] if message.startswith("argument ") and ": " in detail else detail


#: dataclass of the entries of list-valued fields (typed as plain ``list`` in the schema)


class BadInput(Exception):
    """Bad input, as one line ``<key> = <value>: <what is allowed>``."""


def one_line(text: str) -> str:
    """``text`` on one line (error messages are one line)."""
    return " ".join(str(text).split())


def print_listing(text: str) -> None:
    """Print a listing (help, parameters, claims) that the reader may cut
    short (``| head``): a closed pipe ends it quietly, not with a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit


def parse_overrides(overrides: list[str], chosen_groups: Collection[str] = ()) -> dict[str, Any]:
    """Map each override's key to its value; bad override syntax is bad input,
    and so is adding (``+group=name``) a config group the primary config
    already chooses (``chosen_groups``: :func:`chosen_groups`)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    values: dict[str, Any] = {}
    for text in overrides:
        try:
            (ov,) = parser.parse_overrides([text])
        except HydraException as e:
            key, _, value = text.partition("=")
            detail = str(getattr(e, "message", e)).splitlines()
            detail = detail[1] if len(detail) > 1 else detail[0] if detail else ""
            if not _:
                raise BadInput(
                    f"{text} = (missing): an override must be key=value (e.g. market.n_customers=2000)"
                ) from None
            detail = one_line(detail).split(" expecting ", 1)[0]  # not the parser's token list
            raise BadInput(
                f"{key.lstrip('+~')} = {value!r}: bad override syntax ({detail}); must be key=value "
                "in Hydra's override grammar, with a value holding , : [ ] { } = or spaces quoted "
                f"""(e.g. '{key}="{value}"')"""
            ) from None
        key = ov.key_or_group
        if ov.is_add() and key in chosen_groups:
            raise BadInput(
                f"{key} = {ov.get_value_element_as_str()!r}: {key} is chosen already; choose another with "
                f"{key}=<name>, without '+'"
            )
        if ov.is_sweep_override():
            raise BadInput(
                f"{key} = {text.split('=', 1)[1]!r}: a sweep of several values; a single run takes "
                "one value (loyalty-sim -m sweeps)"
            )
        if key.split(".")[0] == "hydra":
            raise BadInput(
                f"{key} = {ov.get_value_element_as_str()!r}: Hydra's own settings are not used "
                "by experiments.cli.market; allowed top-level keys: "
                + ", ".join(f.name for f in dataclasses.fields(RunConfig))
            )
        try:
            values[key] = ov.value()
        except Exception:  # noqa: BLE001 - sweeps and functions: keep the text
            values[key] = ov.get_value_element_as_str()
    return values


def _display_key(full_key: str) -> str:
    """``market.firms.0.price`` / ``market.firms[0].price`` -> ``market.firms[0].price``."""
    parts = []
    for p in full_key.replace("[", ".").replace("]", "").split("."):
        if p.isdigit() and parts:
            parts[-1] += f"[{p}]"
        elif p:
            parts.append(p)
    return ".".join(parts)


def _schema_at(full_key: str, root: type = RunConfig) -> tuple[type | None, dataclasses.Field | None]:
    """The dataclass holding ``full_key`` (from the schema ``root``) and the
    key's field (None if unknown). A list field's entries have the dataclass
    of their type (``list[FirmConfig]``); a key ending in an index
    (``market.firms[0]``) is the list's field."""
    parts = [p for p in full_key.replace("[", ".").replace("]", "").split(".") if p]
    while parts and parts[-1].isdigit():
        parts.pop()
    cls: type | None = root
    f: dataclasses.Field | None = None
    for i, p in enumerate(parts):
        if cls is None:
            return None, None
        if p.isdigit():
            continue
        fields = {x.name: x for x in dataclasses.fields(cls)}
        f = fields.get(p)
        if i == len(parts) - 1:
            return cls, f
        if f is None:
            return None, None
        item = list_item_type(cls, f)
        if item is not None:
            cls = item
        else:
            kind = _resolve_type(cls, f)
            cls = kind if dataclasses.is_dataclass(kind) else None
    return cls, f


def _entry_name(item: type) -> str:
    """How an error names a list's entries: ``FirmConfig`` -> ``firm``."""
    return item.__name__.removesuffix("Config").lower()


def _allowed(full_key: str, kind_msg: str | None = None, root: type = RunConfig) -> str:
    """What is allowed at ``full_key``: its type and range, from the schema."""
    cls, f = _schema_at(full_key, root)
    if f is None or cls is None:
        return kind_msg or "must match the schema"
    kind, meta, item = _resolve_type(cls, f), f.metadata, list_item_type(cls, f)
    if full_key.endswith("]") and dataclasses.is_dataclass(item):  # an entry of a list of mappings
        return f"must be a mapping of {_entry_name(item)} keys: " + ", ".join(x.name for x in dataclasses.fields(item))
    if meta.get("choices"):
        return "must be one of " + ", ".join(map(repr, meta["choices"]))
    if dataclasses.is_dataclass(kind):
        return f"must be a mapping of {kind.__name__} keys: " + ", ".join(x.name for x in dataclasses.fields(kind))
    if kind is list:
        return "must be a list"
    what = {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(kind, str(kind))
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None or hi is not None:
        what += f" in {'(' if meta.get('lo_open') else '['}{lo}, {hi}]"
    return f"must be {what}"


def _unknown_key(full_key: str, root: type = RunConfig) -> str:
    cls, _ = _schema_at(full_key, root)
    if cls is None:
        return "unknown key"
    return "unknown key; allowed keys: " + ", ".join(x.name for x in dataclasses.fields(cls))


def _translate_omegaconf(e: Exception, values: dict[str, Any], source: str = "override", root: type = RunConfig) -> str:
    """An OmegaConf error as ``key = value: what is allowed``."""
    from omegaconf.errors import ConfigAttributeError, ConfigIndexError, ConfigKeyError, ValidationError

    full_key = getattr(e, "full_key", None) or ""
    dotted = _display_key(full_key).replace("[", ".").replace("]", "")
    whole = [k for k in values if k.endswith("." + dotted)] if dotted and dotted not in values else []
    if len(whole) == 1:  # merged into an entry of a typed list, OmegaConf names the key from the entry
        full_key = dotted = whole[0]
    value = values.get(dotted, values.get(full_key, getattr(e, "value", None)))
    if value is None:
        value = _value_below(values, dotted)
    key = _display_key(full_key) if full_key else source
    if isinstance(e, (ConfigAttributeError, ConfigKeyError)):
        if not full_key:
            return f"{source} = {value!r}: {one_line(getattr(e, 'msg', None) or e)}"
        if dotted not in values and full_key not in values:  # a key below one that does not exist
            deeper = next((k for k in values if k.lstrip("+").startswith(dotted + ".")), None)
            if deeper is not None:
                return (
                    f"{_display_key(deeper.lstrip('+'))} = {values[deeper]!r}: {key} does not exist "
                    f"({_unknown_key(full_key, root)}); add a new key with +{deeper.lstrip('+')}=..."
                )
        return f"{key} = {value!r}: {_unknown_key(full_key, root)}"
    if isinstance(e, ValidationError):
        deeper = next((k for k in values if _display_key(k.lstrip("+")).startswith(key + ".")), None)
        if full_key.endswith("]") and deeper is not None:  # a key of an entry past the list's end
            return f"{_display_key(deeper.lstrip('+'))} = {values[deeper]!r}: {key} does not exist (index out of range)"
        return f"{key} = {value!r}: {_allowed(full_key, root=root)}"
    msg = one_line((getattr(e, "msg", None) or str(e)).splitlines()[0] if str(e) else type(e).__name__)
    if isinstance(e, ConfigIndexError):
        for k, v in values.items():  # the override that reached past the list's end
            if _display_key(k).startswith(key):
                return f"{_display_key(k)} = {v!r}: {key} does not exist (index out of range)"
    return f"{key} = {value!r}: {msg}; {_allowed(full_key, root=root)}"


def _value_below(values: dict[str, Any], dotted: str) -> Any:
    """The value at ``dotted`` inside a mapping or list that an override set
    as a whole (``a.b={c: 1}`` holds ``a.b.c``), or None."""
    for key in sorted(values, key=len, reverse=True):
        plain = key.lstrip("+~")
        if not dotted.startswith(plain + "."):
            continue
        node = values[key]
        for part in dotted[len(plain) + 1 :].split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node
    return None


def translate_hydra_error(e: Exception, values: dict[str, Any], root: type = RunConfig) -> str:
    """A Hydra composition error as ``key = value: what is allowed`` (keys
    looked up in the schema ``root``)."""
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(e, MissingConfigException):
        missing = str(getattr(e, "missing_cfg_file", "") or "")
        group, _, name = missing.rpartition("/")
        if group == "market" or "market" in values:
            return (
                f"market = {values.get('market', name)!r}: unknown market preset; "
                f"available: {', '.join(market_presets())}"
            )
        options = [o for o in (getattr(e, "options", None) or []) if not o.endswith("_schema")]
        key = group or "config"
        allowed = f"available: {', '.join(options)}" if options else "no such config"
        return f"{key} = {values.get(key, name)!r}: {allowed}"
    if isinstance(e, OverrideParseException):
        key, _, value = str(e.override).partition("=")
        return f"{key} = {value!r}: bad override syntax; must be key=value in Hydra's override grammar"
    cause = e.__cause__ or e.__context__
    if isinstance(e, OmegaConfBaseException):
        return _translate_omegaconf(e, values, root=root)
    if isinstance(cause, OmegaConfBaseException):
        return _translate_omegaconf(cause, values, root=root)
    first = one_line(str(e).splitlines()[0] if str(e) else type(e).__name__)
    shown = " ".join(f"{k}={v}" for k, v in values.items())
    return f"override = {shown if len(shown) <= 200 else shown[:200] + '...'!r}: {first}"


def chosen_groups(config_name: str) -> frozenset[str]:
    """The config groups the primary config ``conf/<config_name>.yaml``
    chooses in its defaults list (``market``, ``experiment``, ...)."""
    defaults = read_yaml(CONF_DIR / f"{config_name}.yaml").get("defaults") or []
    groups = set()
    for entry in defaults:
        if isinstance(entry, dict):
            for key in entry:
                group = str(key).removeprefix("override ").strip()
                if "/" not in group and group != "_self_":
                    groups.add(group)
    return frozenset(groups)
