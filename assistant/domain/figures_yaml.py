"""Reading the YAML layout of a figures file, scalars exactly as written, problems by line."""

from __future__ import annotations

import logging

import yaml

from assistant.domain.figures_data import FiguresBuilder, Where, clean_text

log = logging.getLogger(__name__)

_TOP_KEYS = (
    "commune", "province", "year", "period", "settlement", "indicators", "facts", "observations"
)  # fmt: skip
_ITEM_KEYS = {"indicators": ("name", "value", "target", "note"), "facts": ("name", "value", "note")}
_ITEM_LABEL = {"indicators": "chỉ tiêu", "facts": "số liệu"}
_KEY_HELP = {"name": "tên", "value": "giá trị", "target": "mục tiêu", "note": "ghi chú"}
_YAML_HELP = "kiểm tra dấu hai chấm, thụt đầu dòng và dấu ngoặc kép"


def _scalar(node: yaml.Node | None) -> str:
    """The text of a scalar node exactly as written ("" for null or a missing node)."""
    if node is None or not isinstance(node, yaml.ScalarNode):
        return ""
    if node.tag == "tag:yaml.org,2002:null" and node.style is None:
        return ""
    return clean_text(node.value)


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {clean_text(getattr(k, "value", "")): v for k, v in node.value}


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {clean_text(getattr(k, "value", "")): k.start_mark.line + 1 for k, _ in node.value}


def read_yaml(text: str, b: FiguresBuilder) -> None:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else "YAML"
        log.info("%s: YAML error: %s", b.source, exc)
        b.problem(where, f"không đúng cú pháp YAML ({_YAML_HELP})")
        b.fatal = True
        return
    if not isinstance(root, yaml.MappingNode):
        b.problem("đầu tệp", "cần các mục như «commune:», «year:», «indicators:»")
        b.fatal = True
        return
    top, key_lines = _mapping(root), _key_lines(root)
    for key, node in top.items():
        line = key_lines[key]
        if key not in _TOP_KEYS:
            b.problem(
                f"dòng {line}, mục {key}",
                f"mục «{key}» không có trong mẫu; các mục hợp lệ: {', '.join(_TOP_KEYS)}",
            )
        elif key in _ITEM_KEYS:
            _yaml_items(key, node, b)
        elif key == "observations":
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for i, item in enumerate(items):
                if isinstance(item, yaml.ScalarNode):
                    if text := _scalar(item):
                        b.observations.append(text)
                else:
                    b.problem(
                        f"dòng {item.start_mark.line + 1}, nhận xét thứ {i + 1}",
                        "cần một câu nhận xét",
                    )
        elif isinstance(node, yaml.ScalarNode):
            b.head[key] = _scalar(node)
            b.head_where[key] = f"dòng {line}, mục {key}"
        else:
            b.problem(f"dòng {line}, mục {key}", "cần một giá trị đơn, không phải danh sách")
            b.reported.add(key)


def _yaml_items(key: str, node: yaml.Node, b: FiguresBuilder) -> None:
    if isinstance(node, yaml.ScalarNode) and not _scalar(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        b.problem(
            f"dòng {node.start_mark.line + 1}, mục {key}",
            "cần một danh sách, mỗi phần tử bắt đầu bằng «- name: …»",
        )
        return
    for i, item in enumerate(node.value):
        line = item.start_mark.line + 1
        label = f"{_ITEM_LABEL[key]} thứ {i + 1}"
        if not isinstance(item, yaml.MappingNode):
            b.problem(f"dòng {line}, {label}", "cần «name:» và «value:»")
            continue
        fields, lines = _mapping(item), _key_lines(item)
        where = Where(line, label, lines)
        for extra in sorted(set(fields) - set(_ITEM_KEYS[key])):
            allowed = ", ".join(f"{k} ({_KEY_HELP[k]})" for k in _ITEM_KEYS[key])
            b.problem(where.at(extra), f"mục «{extra}» không có trong mẫu; chỉ dùng: {allowed}")
        for fname, fnode in fields.items():
            if not isinstance(fnode, yaml.ScalarNode):
                b.problem(where.at(fname), "cần một giá trị đơn, không phải danh sách")
        get = {k: _scalar(fields.get(k)) for k in _ITEM_KEYS[key]}
        if key == "indicators":
            b.indicator(where, get["name"], get["value"], get["target"], get["note"])
        else:
            b.fact(where, get["name"], get["value"])
