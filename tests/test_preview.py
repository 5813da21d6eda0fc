"""The live preview's quick rebuild (generator.site.preview): after a save, MkDocs renders only the
pages the generator rewrote, with the files, navigation and templates its last whole build kept;
the site it serves is then what a full build makes of the same data. Edits that change what other
pages show of a page (a title in the navigation and breadcrumbs, or in the listings of Material's
tags plugin when a portal adds it) or which files there are fall back to a build by MkDocs, with the
same result."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, tree
from mkdocs.commands.build import build as mkdocs_build

from generator.site.build import load_portal_config
from generator.site.portal import find_portal
from generator.site.preview import Preview

URL = "http://127.0.0.1:8765/"
EDITED = "karlskoga/2022.yaml"
EDITED_PAGE = "kommuner/karlskoga/2022/index.html"


def _config(data: Path, out: Path):
    (out / "docs").mkdir(parents=True, exist_ok=True)
    return load_portal_config(
        find_portal(ROOT / "mkdocs.yml"), data, site_dir=str(out / "site"), docs_dir=str(out / "docs"), strict=True
    )


def _full_build(data: Path, out: Path) -> dict[str, bytes]:
    """A build of the whole site, from nothing, as the preview's server would address it."""
    config = _config(data, out)
    config.site_url = URL
    mkdocs_build(config, serve_url=URL)
    return tree(out / "site")


def _html(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def preview(data_copy: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = _config(data_copy, tmp_path / "preview")
    first.plugins.on_startup(command="serve", dirty=True)
    made = Preview(lambda: _config(data_copy, tmp_path / "preview"), URL)
    made.build(first)
    yield made
    made.wait()


def test_a_sentence_rebuilds_its_page_alone_and_the_site_equals_a_full_build(preview, data_copy, tmp_path):
    site = tmp_path / "preview" / "site"
    before = _html(site)
    _replace(data_copy / EDITED, "\nsummary: ", "\nsummary: Ändrad mening. ")
    preview.build()
    assert preview.quick_builds == 1
    written = {name for name, mtime in _html(site).items() if before.get(name) != mtime}
    assert written == {EDITED_PAGE}
    assert "Ändrad mening." in (site / EDITED_PAGE).read_text(encoding="utf-8")
    preview.wait()  # the data files and the search index follow
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_points_update_the_data_files_and_the_search_index_after_the_page(preview, data_copy, tmp_path):
    site = tmp_path / "preview" / "site"
    evaluations_csv = (site / "data" / "evaluations.csv").read_bytes()
    path = data_copy / EDITED
    text = path.read_text(encoding="utf-8")
    _replace(path, "\nsummary: ", "\nsummary: Sökbar ändring. ")
    preview.build()
    _replace(path, "Sökbar ändring. ", "Sökbar ändring igen. ")
    preview.build()  # waits for the last rebuild's data files first
    preview.wait()
    assert preview.quick_builds == 2
    assert "Sökbar ändring igen." in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert (site / "search" / "search_index.json").read_text(encoding="utf-8").count("Sökbar ändring") == 1
    path.write_text(text, encoding="utf-8")
    preview.build()
    preview.wait()
    assert (site / "data" / "evaluations.csv").read_bytes() == evaluations_csv
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_the_edited_municipalitys_pages_are_shown_before_the_others_whose_means_moved(preview, data_copy, tmp_path):
    """Ten points less in one area of Karlskoga 2007 move that area's mean in its revision, which every
    evaluation page of the revision shows: Karlskoga's pages are rebuilt before the save returns, the
    others after it (here held back until the test lets them go), and the site then equals a full build."""
    site = tmp_path / "preview" / "site"
    held: list = []
    preview._start_later = lambda thread: held.append(thread) or thread
    other = site / "kommuner" / "eksjo" / "2008" / "index.html"
    other_before = other.read_bytes()
    edited = data_copy / "karlskoga" / "2007.yaml"
    _replace(edited, "reported_total: 457.5\n", "reported_total: 447.5\n")
    _replace(edited, "    reported_points: 56\n", "    reported_points: 46\n")
    _replace(edited, "{id: '1.1', points: 20, reported_percent: 50}", "{id: '1.1', points: 10, reported_percent: 25}")
    try:
        preview.build()
        assert preview.quick_builds == 1 and len(held) == 1
        page = (site / "kommuner" / "karlskoga" / "2007" / "index.html").read_text(encoding="utf-8")
        assert "447,5" in page  # its new total, shown at once
        assert other.read_bytes() == other_before  # not yet: it follows the edited pages
        assert not preview.idle.is_set()  # the watched folders are not looked at until the rest is done
    finally:
        for thread in held:
            thread.start()
    preview.wait()
    assert preview.idle.is_set()
    assert other.read_bytes() != other_before  # the revision's mean of area 1 moved
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_the_rest_built_whole_after_all_is_built_of_every_page(preview, data_copy, tmp_path, monkeypatch):
    """When the pages after those shown first need MkDocs' whole build after all (a file removed, say),
    it is a build of every page: a partial one would skip the pages shown first, whose HTML is newer
    than their Markdown, and keep their old entries in the search index."""
    site = tmp_path / "preview" / "site"
    held: list = []
    preview._start_later = lambda thread: held.append(thread) or thread
    quick = preview._build_written
    monkeypatch.setattr(
        preview, "_build_written", lambda kept, plugin, report, finish=False: not finish and quick(kept, plugin, report)
    )
    _replace(data_copy / EDITED, "\nsummary: ", "\nsummary: Sökbar efter helbygget. ")
    try:
        preview.build()
        assert preview.quick_builds == 1 and len(held) == 1
        assert "Sökbar efter helbygget." in (site / EDITED_PAGE).read_text(encoding="utf-8")
    finally:
        for thread in held:
            thread.start()
    preview.wait()
    assert "Sökbar efter helbygget." in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_a_wrong_portal_text_stops_the_rebuild_with_its_place_not_a_traceback(data_copy, tmp_path, monkeypatch, caplog):
    """A portal's texts file saved with a key the package does not have: the rebuild stops with the
    file:line:col of it (MkDocs' server then keeps the last site), as a whole build would."""
    from mkdocs.exceptions import Abort

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    portal = tmp_path / "portal"
    (portal / "locale").mkdir(parents=True)
    (portal / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")

    def config():
        out = tmp_path / "preview"
        (out / "docs").mkdir(parents=True, exist_ok=True)
        made = load_portal_config(
            find_portal(portal / "mkdocs.yml"), data_copy, site_dir=str(out / "site"), docs_dir=str(out / "docs")
        )
        made.site_url = URL
        return made

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    preview = Preview(config, URL)
    preview.build(first)
    texts = portal / "locale" / "sv.yaml"
    texts.write_text("site:\n  okand_nyckel: Text\n", encoding="utf-8")
    with pytest.raises(Abort):
        preview.build()
    assert any(re.match(r".*locale/sv\.yaml:2:\d+: ", record.getMessage()) for record in caplog.records), [
        record.getMessage() for record in caplog.records
    ]
    texts.unlink()
    _replace(data_copy / EDITED, "\nsummary: ", "\nsummary: Efter felet. ")
    preview.build()
    preview.wait()
    assert "Efter felet." in (tmp_path / "preview" / "site" / EDITED_PAGE).read_text(encoding="utf-8")


def test_a_practice_renamed_rebuilds_its_pages_and_its_listings_quickly(preview, data_copy, tmp_path):
    site = tmp_path / "preview" / "site"
    _replace(data_copy / EDITED, "name: Eftersnack\n", "name: Eftersnack efter fullmäktige\n")
    preview.build()
    preview.wait()
    assert preview.quick_builds == 1
    gold_stars = (site / "goda-exempel" / "guldstjarnor" / "index.html").read_text(encoding="utf-8")
    assert "Eftersnack efter fullmäktige" in gold_stars  # the listing shows the new title
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_an_evaluation_removed_and_added_again_rebuilds_by_mkdocs_with_whole_listings(preview, data_copy, tmp_path):
    site = tmp_path / "preview" / "site"
    edited = data_copy / EDITED
    source = edited.read_text(encoding="utf-8")
    edited.unlink()
    preview.build()
    preview.wait()
    assert not (site / "kommuner" / "karlskoga" / "2022" / "index.html").exists()
    assert not (site / "goda-exempel" / "guldstjarnor").exists()  # its only gold stars were in that evaluation
    edited.write_text(source, encoding="utf-8")
    preview.build()
    preview.wait()
    assert preview.quick_builds == 0  # pages removed and added: MkDocs lists the files again
    assert "Eftersnack" in (site / "goda-exempel" / "guldstjarnor" / "index.html").read_text(encoding="utf-8")
    assert tree(site) == _full_build(data_copy, tmp_path / "full")
    _replace(edited, "\nsummary: ", "\nsummary: Efter den nya. ")
    preview.build()  # quick again, on what MkDocs' partial build kept
    preview.wait()
    assert preview.quick_builds == 1
    assert tree(site) == _full_build(data_copy, tmp_path / "full2")


def test_a_municipality_renamed_rebuilds_the_pages_under_it_by_mkdocs(preview, data_copy, tmp_path):
    site = tmp_path / "preview" / "site"
    _replace(data_copy / "_municipalities.yaml", "name: Karlskoga\n", "name: Karlskoga kommun\n")
    preview.build()
    preview.wait()
    assert preview.quick_builds == 0  # the breadcrumbs of the pages under its page show its name
    assert "Karlskoga kommun" in (site / EDITED_PAGE).read_text(encoding="utf-8")
    assert tree(site) == _full_build(data_copy, tmp_path / "full")


def test_a_portal_with_materials_tags_plugin_has_a_renamed_page_rebuilt_whole(data_copy, tmp_path, monkeypatch):
    """Material's tags plugin lists only the pages a partial build read: in a portal that adds it,
    a sentence is still rebuilt quickly, but a changed title makes MkDocs build the whole site, clean."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    portal = tmp_path / "portal"
    (portal / "content").mkdir(parents=True)
    config_text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - tags\n" not in config_text
    (portal / "mkdocs.yml").write_text(
        config_text.replace("      data: evaluations\n", "      data: evaluations\n  - tags\n", 1), encoding="utf-8"
    )
    (portal / "content" / "taggat.md").write_text(
        "---\ntags:\n  - Eget\n---\n# Taggat\n\n<!-- material/tags -->\n", encoding="utf-8"
    )

    def config(out: Path):
        (out / "docs").mkdir(parents=True, exist_ok=True)
        made = load_portal_config(
            find_portal(portal / "mkdocs.yml"), data_copy, site_dir=str(out / "site"), docs_dir=str(out / "docs")
        )
        made.site_url = URL
        return made

    first = config(tmp_path / "preview")
    first.plugins.on_startup(command="serve", dirty=True)
    preview = Preview(lambda: config(tmp_path / "preview"), URL)
    preview.build(first)
    site = tmp_path / "preview" / "site"
    assert "Eget" in (site / "taggat" / "index.html").read_text(encoding="utf-8")  # the plugin's listing
    _replace(data_copy / EDITED, "\nsummary: ", "\nsummary: Ändrad mening. ")
    preview.build()
    preview.wait()
    assert preview.quick_builds == 1
    _replace(data_copy / EDITED, "name: Eftersnack\n", "name: Eftersnack efter fullmäktige\n")
    preview.build()
    preview.wait()
    assert preview.quick_builds == 1  # a whole build
    assert "Eftersnack efter fullmäktige" in (site / "goda-exempel" / "guldstjarnor" / "index.html").read_text(
        encoding="utf-8"
    )
    full = config(tmp_path / "full")
    mkdocs_build(full, serve_url=URL)
    assert tree(site) == tree(tmp_path / "full" / "site")


def test_the_watched_folders_are_looked_at_only_between_builds(tmp_path):
    """A save during a build is seen once the build is done, not while it runs (each look took a
    fifth of the interpreter's time at national size)."""
    import threading
    import time

    from watchdog.events import FileSystemEventHandler

    from generator.site.preview import watching_when_idle

    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    seen: list[str] = []

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory:
                seen.append(event.src_path)

    idle = threading.Event()
    observer = watching_when_idle(idle, 0.05)
    observer.schedule(Handler(), str(tmp_path), recursive=True)
    idle.set()
    observer.start()
    try:
        time.sleep(0.3)  # the first look is taken
        idle.clear()  # a build starts
        time.sleep(0.2)
        (tmp_path / "a.yaml").write_text("a: 2\n", encoding="utf-8")
        time.sleep(0.5)
        assert seen == []
        idle.set()  # the build is done
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert str(tmp_path / "a.yaml") in seen
    finally:
        observer.stop()
        observer.join()


def _notices(observer, paths: list, act, settle: float = 0.4, into: list[str] | None = None) -> list[str]:
    """The files `observer` gives notice of while `act()` runs, watching `paths` as MkDocs does
    (appended to `into` as they come, if given)."""
    import time

    from watchdog.events import FileSystemEventHandler

    seen: list[str] = [] if into is None else into

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory:
                seen.append(os.fsdecode(event.dest_path or event.src_path))

    for path in paths:
        observer.schedule(Handler(), str(path), recursive=True)
    observer.start()
    try:
        time.sleep(0.2)
        act()
        time.sleep(settle)
    finally:
        observer.stop()
        observer.join()
    return seen


def test_serve_is_told_of_saved_files_and_not_of_read_ones(tmp_path):
    """On Linux the preview is told of a save by the kernel (inotify) as it happens, instead of looking
    at every watched file five times a second: a file read (the generator reads them all at every
    build) is no notice, a file saved in place or by renaming a new one over it is, in a new folder
    too, and so is the config file (watched through its folder, which other files share)."""
    import threading

    from watchdog.observers.inotify import InotifyObserver

    from generator.site.preview import watching

    data, config = tmp_path / "data", tmp_path / "mkdocs.yml"
    (data / "karlskoga").mkdir(parents=True)
    evaluation = data / "karlskoga" / "2022.yaml"
    evaluation.write_text("a: 1\n", encoding="utf-8")
    config.write_text("site_name: x\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("x\n", encoding="utf-8")
    paths = [config, data]
    idle = threading.Event()

    def observer():
        made = watching([str(p) for p in paths], idle)
        assert isinstance(made, InotifyObserver)
        return made

    assert _notices(observer(), paths, lambda: (evaluation.read_bytes(), config.read_bytes())) == []
    assert _notices(observer(), paths, lambda: (tmp_path / "README.md").write_text("y\n", encoding="utf-8")) == []
    assert str(evaluation) in _notices(observer(), paths, lambda: evaluation.write_text("a: 2\n", encoding="utf-8"))

    def rename_over(path):
        def save():
            (path.parent / ".saving").write_text("a: 3\n", encoding="utf-8")
            os.replace(path.parent / ".saving", path)

        return save

    assert str(evaluation) in _notices(observer(), paths, rename_over(evaluation))

    for path in (config, evaluation):  # a file replaced is still watched: the second save is told too
        notices: list[str] = []
        first: list[str] = []

        def twice(path=path, notices=notices, first=first):
            import time

            rename_over(path)()
            time.sleep(0.3)
            first.extend(notices)
            rename_over(path)()

        _notices(observer(), paths, twice, into=notices)
        assert str(path) in first and str(path) in notices[len(first) :]

    def new_folder():
        import time

        (data / "degerfors").mkdir()
        time.sleep(0.2)
        (data / "degerfors" / "2023.yaml").write_text("a: 1\n", encoding="utf-8")

    assert str(data / "degerfors" / "2023.yaml") in _notices(observer(), paths, new_folder)


def test_serve_looks_at_the_files_where_it_cannot_be_told(tmp_path):
    """A path the kernel cannot watch (here one that is not there; elsewhere, past the limit of
    watches or off Linux) leaves the preview looking, between builds, as MkDocs does."""
    import threading

    from watchdog.observers.inotify import InotifyObserver

    from generator.site.preview import watching

    observer = watching([str(tmp_path), str(tmp_path / "missing")], threading.Event())
    assert not isinstance(observer, InotifyObserver)
    idle = threading.Event()
    idle.set()
    observer = watching([str(tmp_path / "missing")], idle, 0.05)
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    seen = _notices(observer, [tmp_path], lambda: (tmp_path / "a.yaml").write_text("a: 2\n", encoding="utf-8"))
    assert str(tmp_path / "a.yaml") in seen
