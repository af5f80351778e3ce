"""Joining tagged PDFs: one structure tree from the structure trees of typst-made parts.

qpdf (and every other PDF library) keeps the document-level structure of the first file only, so
`claimsite.pdf_engine.join` copies the parts' pages and then `merge_structure` rebuilds what a tagged
file needs around them (ISO 32000-1 §14.7-14.8, as typst writes it):

- one `/StructTreeRoot` whose `/K` is one `/Document` element holding every part's top-level
  elements in part order (so the reading order is the page order), each with `/P` pointing at it;
- every page's `/StructParents` and every annotation's `/StructParent` shifted by the keys of the
  parts before it, and one `/ParentTree` with the shifted keys (`/ParentTreeNextKey` after them);
- `/RoleMap` and `/ClassMap` merged (a name mapped two ways is an error), element ids (`/IDTree`,
  `/ID`, and the `/Headers` of table cells that point at them) prefixed per part so they stay unique;
- `/MarkInfo` and `/Lang` of the first part, and its XMP packet (which carries the PDF/UA-1
  identification) with the page count of the whole.

It relies on what every typst part shares: a root with one `/Document` element, marked content
referenced by MCID from elements with `/Pg`, links as `/OBJR` kids. `structure_problems` checks a
file against exactly those rules; the tests run it on merged editions.
"""

from __future__ import annotations

import pikepdf

from claimsite.errors import PdfError

_MERGED_MAPS = ("/RoleMap", "/ClassMap")


def _top_element(root: pikepdf.Object) -> pikepdf.Object:
    """A part's `/Document` element: the one kid of its structure tree root."""
    kids = root.get("/K")
    if isinstance(kids, pikepdf.Array) and len(kids) == 1:
        kids = kids[0]
    if not isinstance(kids, pikepdf.Dictionary) or kids.get("/S") != pikepdf.Name.Document:
        raise PdfError("a typeset part's structure tree does not start with one Document element")
    return kids


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(top: pikepdf.Object) -> list[pikepdf.Dictionary]:
    """Every structure element under `top` (itself included, unless it is the tree's root), depth
    first in document order."""
    found: list[pikepdf.Dictionary] = []
    stack: list[pikepdf.Object] = [top]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or ("/S" not in node and node is not top):
            continue  # an MCID, a marked-content or an object reference
        found += [node] if "/S" in node else []  # not the structure tree root
        stack.extend(reversed(_kids(node)))
    return found


def _rename_ids(part: int, root: pikepdf.Object, top: pikepdf.Object, ids: dict[str, pikepdf.Object]) -> None:
    """Add the part's element ids to `ids` under a part prefix, rewriting the references to them."""
    tree = root.get("/IDTree")
    if tree is None:
        return
    renamed = {key: f"p{part}-{key}" for key, _ in pikepdf.NameTree(tree).items()}
    if not renamed:
        return
    for element in _elements(top):
        if "/ID" in element:
            element.ID = pikepdf.String(renamed.get(str(element.ID), str(element.ID)))
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                attribute.Headers = pikepdf.Array(
                    [pikepdf.String(renamed.get(str(header), str(header))) for header in attribute.Headers]
                )
    for key, target in pikepdf.NameTree(tree).items():
        ids[renamed[key]] = target


def merge_structure(joined: pikepdf.Pdf, parts: list[pikepdf.Pdf], page_counts: list[int]) -> None:
    """Give `joined` (the parts' pages, in order, `page_counts[n]` from part n) one structure tree
    made of the parts' trees. The parts must stay open until `joined` is saved."""
    roots = [part.Root.StructTreeRoot for part in parts if "/StructTreeRoot" in part.Root]
    if len(roots) != len(parts):
        raise PdfError("a typeset part is not tagged")
    new_root = joined.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document: pikepdf.Object | None = None
    children: list[pikepdf.Object] = []
    parent_tree: list[tuple[int, pikepdf.Object]] = []
    maps: dict[str, dict[str, pikepdf.Object]] = {name: {} for name in _MERGED_MAPS}
    ids: dict[str, pikepdf.Object] = {}
    next_key = 0
    first_page = 0
    for n, root in enumerate(roots):
        copied = joined.copy_foreign(root)  # pages were copied first: the tree points at their copies
        top = _top_element(copied)
        if document is None:
            document = top
        for kid in _kids(top):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kid.P = document
            elif n > 0:
                raise PdfError("a typeset part has marked content directly under its Document element")
            children.append(kid)
        for name in _MERGED_MAPS:
            for key, value in (copied.get(name) or pikepdf.Dictionary()).items():
                if key in maps[name] and repr(maps[name][key]) != repr(value):
                    raise PdfError(f"the parts map the structure type {key} in {name} differently")
                maps[name][key] = value
        if n > 0:
            _rename_ids(n, copied, top, ids)
        else:
            tree = copied.get("/IDTree")
            ids.update(pikepdf.NameTree(tree).items() if tree is not None else [])
        keys = [(int(key), value) for key, value in pikepdf.NumberTree(copied.ParentTree).items()]
        parent_tree += [(key + next_key, value) for key, value in keys]
        for page in joined.pages[first_page : first_page + page_counts[n]]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + next_key
            for annotation in page.obj.get("/Annots") or []:
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
        next_key += max(int(copied.get("/ParentTreeNextKey", 0)), max((key + 1 for key, _ in keys), default=0))
        first_page += page_counts[n]
    assert document is not None  # at least one part
    document.K = pikepdf.Array(children)
    document.P = new_root
    new_root.K = pikepdf.Array([document])
    numbers = pikepdf.NumberTree.new(joined)
    for number, value in parent_tree:
        numbers[number] = value
    new_root.ParentTree = numbers.obj
    new_root.ParentTreeNextKey = next_key
    for name in _MERGED_MAPS:
        if maps[name]:
            new_root[name] = pikepdf.Dictionary(maps[name])
    if ids:
        names = pikepdf.NameTree.new(joined)
        for key in sorted(ids):
            names[key] = ids[key]
        new_root.IDTree = names.obj
    joined.Root.StructTreeRoot = new_root
    first = parts[0]
    joined.Root.MarkInfo = pikepdf.Dictionary(dict(first.Root.get("/MarkInfo", {"/Marked": True}).items()))
    if "/Metadata" in first.Root:
        joined.Root.Metadata = joined.copy_foreign(first.Root.Metadata)
        with joined.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
            metadata["{http://ns.adobe.com/xap/1.0/t/pg/}NPages"] = str(len(joined.pages))


# --------------------------------------------------------------------------- checking


def _page_mcids(page: pikepdf.Page) -> list[int]:
    """The MCIDs of a page's content stream, in the order they are drawn."""
    resources = page.obj.get("/Resources")
    properties = resources.get("/Properties") if resources is not None else None
    found = []
    for instruction in pikepdf.parse_content_stream(page, "BDC"):
        operand = instruction.operands[1]
        if isinstance(operand, pikepdf.Name) and properties is not None:
            operand = properties.get(operand, pikepdf.Dictionary())
        if isinstance(operand, pikepdf.Dictionary) and "/MCID" in operand:
            found.append(int(operand.MCID))
    return found


def structure_problems(document: pikepdf.Pdf) -> list[str]:
    """What is wrong with the file's structure tree, as sentences (empty when nothing is):
    every page's marked content must be reached from the tree exactly once, through the element
    the `/ParentTree` names for it; every element's `/P` must be its parent; every tagged
    annotation must be the kid of the element its `/StructParent` names."""
    problems: list[str] = []
    root = document.Root.get("/StructTreeRoot")
    if root is None:
        return ["the file has no structure tree"]
    page_number = {page.obj.objgen: n for n, page in enumerate(document.pages, start=1)}
    parent_tree = {int(key): value for key, value in pikepdf.NumberTree(root.ParentTree).items()}
    if parent_tree and int(root.get("/ParentTreeNextKey", 0)) <= max(parent_tree):
        problems.append("/ParentTreeNextKey is not above every key of the /ParentTree")
    reached: dict[tuple[int, int], pikepdf.Object] = {}
    annotations: dict[tuple[int, int], pikepdf.Object] = {}
    stack: list[tuple[pikepdf.Object, pikepdf.Object]] = [(kid, root) for kid in reversed(_kids(root))]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.get("/P") is None or node.P.objgen != parent.objgen:
            problems.append(f"a {node.get('/S')} element's /P is not its parent")
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                stack.append((kid, node))
                continue
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
                annotations[kid.Obj.objgen] = node
                continue
            page = kid.get("/Pg", node.get("/Pg")) if isinstance(kid, pikepdf.Dictionary) else node.get("/Pg")
            mcid = int(kid.MCID) if isinstance(kid, pikepdf.Dictionary) else int(kid)
            if page is None or page.objgen not in page_number:
                problems.append(f"marked content {mcid} of a {node.get('/S')} element is on no page of the file")
                continue
            place = (page_number[page.objgen], mcid)
            if place in reached:
                problems.append(f"page {place[0]}: marked content {mcid} is reached twice")
            reached[place] = node
    on_page: dict[int, set[int]] = {}
    for m, mcid in reached:
        on_page.setdefault(m, set()).add(mcid)
    for n, sheet in enumerate(document.pages, start=1):
        mcids = _page_mcids(sheet)
        key = sheet.obj.get("/StructParents")
        entries = parent_tree.get(int(key)) if key is not None else None
        if mcids and entries is None:
            problems.append(f"page {n}: its marked content has no /ParentTree entry")
            continue
        for mcid in mcids:
            owner = reached.get((n, mcid))
            if owner is None:
                problems.append(f"page {n}: marked content {mcid} is not reached from the structure tree")
            elif not isinstance(entries, pikepdf.Array) or mcid >= len(entries) or entries[mcid].objgen != owner.objgen:
                problems.append(f"page {n}: the /ParentTree gives marked content {mcid} another element")
        extra = on_page.get(n, set()) - set(mcids)
        problems += [
            f"page {n}: the tree reaches marked content {mcid}, which the page lacks" for mcid in sorted(extra)
        ]
        for annotation in sheet.obj.get("/Annots") or []:
            if "/StructParent" not in annotation:
                continue
            owner = parent_tree.get(int(annotation.StructParent))
            holder = annotations.get(annotation.objgen)
            if owner is None or holder is None or owner.objgen != holder.objgen:
                problems.append(f"page {n}: an annotation's /StructParent does not lead to the element holding it")
    return problems


def reading_order(document: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page, MCID) of every marked content, in the order the structure tree gives it."""
    root = document.Root.StructTreeRoot
    page_number = {page.obj.objgen: n for n, page in enumerate(document.pages, start=1)}
    order: list[tuple[int, int]] = []
    stack: list[tuple[pikepdf.Object, pikepdf.Object | None]] = [(kid, None) for kid in reversed(_kids(root))]
    while stack:
        node, page = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            stack.extend((kid, node.get("/Pg", page)) for kid in reversed(_kids(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/MCID" in node:
            target = node.get("/Pg", page)
            if target is not None:
                order.append((page_number[target.objgen], int(node.MCID)))
        elif not isinstance(node, pikepdf.Dictionary) and page is not None:
            order.append((page_number[page.objgen], int(node)))
    return order
