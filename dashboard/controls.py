"""URL-backed controls: widgets whose value lives in the link (so a link reproduces the view) and is shared across pages."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import source_lines, url_state
from dashboard.app_data import atlas
from dashboard.page_table import PAGES


def _raw(name: str):
    return st.query_params.get(name)


def bind(name: str, key: str, value, options=None) -> None:
    """Start widget `key` at `value` (already checked) when the URL changed outside this widget, or its state went stale."""
    raw = _raw(name)
    seen = f"_seen_{key}"
    stale = False
    if key in st.session_state and options is not None:
        current = st.session_state[key]
        stale = any(v not in options for v in current) if isinstance(current, list) else current not in options
    if key not in st.session_state or st.session_state.get(seen) != raw or stale:
        st.session_state[key] = value
    st.session_state[seen] = raw


def publish(name: str, key: str, value: str) -> None:
    """Write the widget's value to the URL (so a link reproduces the view) and share it with the other pages."""
    text = ",".join(value) if isinstance(value, (list, tuple)) else str(value)
    if text == "":
        if name in st.query_params:
            del st.query_params[name]
        st.session_state[f"_seen_{key}"] = None
        return
    if st.query_params.get(name) != text:
        st.query_params[name] = text
    st.session_state[f"_seen_{key}"] = text
    st.session_state[f"shared_{name}"] = text


def shared(name: str, default=None):
    return st.session_state.get(f"shared_{name}", default)


def param(name: str):
    return _raw(name)


def warn(message: str | None) -> None:
    if message:
        st.warning(message, icon="⚠️")


def source_caption(line: source_lines.SourceLine) -> None:
    st.caption(line.text())


def lad_picker(label: str, key: str, *, allow_ward: bool = True, help: str | None = None) -> str:
    """An LA chosen from the URL (?area=), the last LA seen on another page, or Birmingham; typed to search, keyboard-reachable."""
    a = atlas()
    default = shared("area") if shared("area") in a.names else url_state.DEFAULT_LAD
    default = a.parent_of.get(default, default) if a.level_of.get(default) == "ward" else default
    code, message = url_state.check_area(param("area"), a.areas, default, allow_ward=allow_ward)
    warn(message)
    lad = a.parent_of[code] if a.level_of.get(code) == "ward" else code
    bind("area", key, lad, a.lad_codes)
    choice = st.selectbox(label, a.lad_codes, key=key, format_func=a.label, help=help or "Type part of a name to search.")
    return choice


def choose(name: str, key: str, label: str, options: list, default, *, what: str, format_func=str, widget: str = "selectbox", checker=None, **kwargs):
    """A validated URL-backed choice: warns on a bad value, falls back to the default, writes the choice back to the URL."""
    raw = param(name)
    if checker is not None:
        value, message = checker(raw)
    else:
        fallback = shared(name) if shared(name) in options else default
        value, message = url_state.check_choice(raw, options, fallback, what)
    warn(message)
    bind(name, key, value, options)
    maker = {"selectbox": st.selectbox, "radio": st.radio, "segmented": st.segmented_control}[widget]
    choice = maker(label, options, key=key, format_func=format_func, **kwargs)
    if choice is None:
        choice = value
    publish(name, key, choice)
    return choice


def scope_picker(key: str, *, disabled: bool = False, label: str = "Ranking scope") -> str:
    """The validated, URL-backed ranking scope (?scope=), shared across pages like the other controls."""
    fallback = shared("scope") if shared("scope") in vocab.SCOPES else vocab.DEFAULT_SCOPE
    return choose(
        "scope", key, label, list(vocab.SCOPES), fallback, what="scope", format_func=vocab.SCOPE_LABELS.get,
        checker=lambda raw: url_state.check_scope(raw, fallback), disabled=disabled,
        help=" ".join(f"{vocab.SCOPE_LABELS[k]}: {text}." for k, text in vocab.SCOPES.items()),
    )


def page_link_params(**params: str) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


def switch_to(page: str, **params: str) -> None:
    st.switch_page(PAGES[page], query_params=page_link_params(**params))


def report_downloads(code: str) -> None:
    """The area report, named after the area and the data's date: a PDF built when the button is pressed (so the page
    does not wait for it) and the same report as a web page. Both are the files `python cli.py report` writes."""
    from dashboard.app_data import report_file, report_file_name

    pdf, html = st.columns(2)
    pdf.download_button(
        "Download report", data=lambda: report_file(code, "pdf"), file_name=report_file_name(code, "pdf"),
        mime="application/pdf", on_click="ignore", key=f"report_pdf_{code}", icon=":material/picture_as_pdf:",
        help="The area report as an A4 PDF: ranks, bands and evidence for the five factors, every indicator against its comparators, a plain-language summary, methods and sources.",
    )
    html.download_button(
        "HTML version", data=lambda: report_file(code, "html"), file_name=report_file_name(code, "html"),
        mime="text/html", on_click="ignore", key=f"report_html_{code}", icon=":material/description:",
        help="The same report as one HTML file that opens offline in any browser and prints to A4.",
    )
