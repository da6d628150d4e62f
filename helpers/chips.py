"""A pair, or a batch, as coloured token chips: each token in its class's colour (segment A, segment B,
special, padding), HTML in JupyterLab with a plain-text fallback for a terminal and for nbval.
"""

import html
import textwrap

import numpy as np

from .plots import CLASS_COLOURS, PALETTE
from .views import CLASS_NAMES, PAD, SEGMENT_A, SEGMENT_B, SPECIAL, token_classes

CHIP_STYLE = (
    "display:inline-block;text-align:center;margin:2px 1px;padding:1px 4px;border-radius:4px;"
    "font-family:monospace;font-size:12px;line-height:1.25;"
)
CHIP_COLOURS = {
    SEGMENT_A: (PALETTE["segment_a"], "#ffffff"),
    SEGMENT_B: (PALETTE["segment_b"], "#000000"),
    PAD: (PALETTE["padding"], "#444444"),
}


class TokenChips:
    """Rows of tokens as chips: HTML in JupyterLab, readable text in a terminal (and for nbval)."""

    def __init__(self, rows: list[dict]):
        self.rows = rows  # each: label, tokens, ids, types, mask, classes

    def _repr_html_(self) -> str:
        legend = " ".join(
            self._chip(CLASS_NAMES[cls], cls, segment=None) for cls in (SEGMENT_A, SEGMENT_B, SPECIAL, PAD)
        )
        parts = [
            f'<div style="font-size:12px">{legend} <span style="color:#777">'
            "(token_type_ids 0 / 1; padding: attention_mask 0; hover a chip for its ids)</span></div>"
        ]
        for row in self.rows:
            chips = "".join(
                self._chip(
                    token, cls, segment=SEGMENT_B if typ else SEGMENT_A, small=str(i), title=self._title(i, typ, m, cls)
                )
                for token, i, typ, m, cls in zip(row["tokens"], row["ids"], row["types"], row["mask"], row["classes"])
            )
            parts.append(
                f'<div style="margin-top:6px"><div style="font-size:12px;font-weight:bold">'
                f"{html.escape(self._header(row))}</div><div>{chips}</div></div>"
            )
        return "\n".join(parts)

    @staticmethod
    def _title(token_id, typ, mask, cls) -> str:
        text = f"input_ids {token_id} · token_type_ids {typ} · attention_mask {mask}"
        return text + (" · special token" if cls == SPECIAL else "")

    @staticmethod
    def _chip(text, cls, segment, small="", title="") -> str:
        if cls == SPECIAL:  # dark, underlined in its segment's colour
            background, colour = PALETTE["special"], "#ffffff"
            extra = f"border-bottom:3px solid {CLASS_COLOURS[segment]};" if segment is not None else ""
        else:
            (background, colour), extra = CHIP_COLOURS[cls], ""
        ids = f'<br><small style="font-size:9px;opacity:0.85">{small}</small>' if small else ""
        hover = f' title="{html.escape(title)}"' if title else ""
        return (
            f'<span style="{CHIP_STYLE}background:{background};color:{colour};{extra}"{hover}>'
            f"{html.escape(text)}{ids}</span>"
        )

    @staticmethod
    def _header(row) -> str:
        types = np.asarray(row["types"])
        real = np.asarray(row["mask"]) == 1
        counts = [f"{int((real & (types == 0)).sum())} with token_type_ids 0"]
        if (real & (types > 0)).any():
            counts.append(f"{int((real & (types > 0)).sum())} with 1")
        special = [t for t, c in zip(row["tokens"], row["classes"]) if c == SPECIAL]
        text = f"{len(row['tokens'])} tokens: {', '.join(counts)}; {len(special)} special"
        if (~real).any():
            text += f"; {int((~real).sum())} padding (attention_mask 0)"
        return f"{row['label']}: {text}" if row["label"] else text

    def __repr__(self) -> str:
        lines = []
        for row in self.rows:
            lines.append(self._header(row))
            runs = []  # consecutive tokens of one segment (or of padding) on one line each
            for token, typ, cls in zip(row["tokens"], row["types"], row["classes"]):
                mark = "pad" if cls == PAD else "B" if typ else "A"
                if runs and runs[-1][0] == mark:
                    runs[-1][1].append(token)
                else:
                    runs.append((mark, [token]))
            for mark, tokens in runs:
                lines += textwrap.wrap(
                    " ".join(tokens),
                    width=96,
                    initial_indent=f"{mark:>5} | ",
                    subsequent_indent="      | ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
        return "\n".join(lines)


def _encoding_row(tokenizer, encoding, label: str) -> dict:
    if hasattr(encoding, "ids") and not hasattr(encoding, "keys"):  # a tokenizers.Encoding
        ids, types, mask = list(encoding.ids), list(encoding.type_ids), list(encoding.attention_mask)
    else:
        ids = list(np.asarray(encoding["input_ids"]).tolist())
        types = list(np.asarray(encoding.get("token_type_ids", [0] * len(ids))).tolist())
        mask = list(np.asarray(encoding.get("attention_mask", [1] * len(ids))).tolist())
    if ids and isinstance(ids[0], list):
        raise ValueError("pair_chips shows one encoding per row: pass encoding[0], or {label: encoding}")
    return {
        "label": label,
        "tokens": tokenizer.convert_ids_to_tokens(ids),
        "ids": ids,
        "types": types,
        "mask": mask,
        "classes": token_classes(ids, types, mask, tokenizer).tolist(),
    }


def pair_chips(tokenizer, encodings, label: str = "") -> TokenChips:
    """One encoding (a tokenizer's output for one pair) as a row of coloured token chips, or several
    to compare: {label: encoding}. Segment A and B in two colours, special tokens dark, padding grey,
    each token's id in small print beneath it and all its ids on hover."""
    if hasattr(encodings, "ids") or "input_ids" in encodings:
        encodings = {label: encodings}
    return TokenChips([_encoding_row(tokenizer, e, name) for name, e in encodings.items()])
