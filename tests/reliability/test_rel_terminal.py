"""Promise 3 (defined in conftest.py): server text cannot act on the terminal.

The real app (``python -m axom_tui``) runs in a pty against a hostile server whose every
string (run names, statuses, types, errors, log lines, event kinds and payloads, phases,
model names, error details) carries ESC/CSI/OSC (titles, OSC 8 links, OSC 52 clipboard),
DCS/APC strings, 8-bit C1 controls, DEL, CR, bidi overrides and Textual/Rich markup. One
run fails during the session, so its hostile name and error also go through the "run
finished" toast and the desktop notification (OSC 9/777). Every byte written to the
terminal is captured and parsed: each escape sequence must be one the app makes itself,
and no sequence, control or bidi mark may come from server data. The headless commands
(`jobs`, `jobs --json`, `watch`) are audited the same way, and in process (Pilot) no
rendered segment carries a link or a click action made from server text.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st
from rich.console import Console

from axom_tui.api.secret import ApiKey
from axom_tui.base.sanitize import clean_text
from axom_tui.runtime.services import build_services
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.header_bar import HeaderBar
from rel_helpers import KEY, PYTHON, ThreadServer, child_env, figure, leaks_in, run_in_pty
from rel_hostile import HOSTILE, NAMES, RUN_IDS, HostileApi

# One escape sequence, as a terminal parses it (after UTF-8 decoding).
SEQUENCE = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[P_^X][^\x1b]*(?:\x1b\\)?"  # DCS, APC, PM, SOS
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # two-byte escapes
    r"|\x1b"  # a lone ESC
)
# CSI the app (Textual) writes: SGR, absolute cursor position, private modes and their
# queries, kitty keyboard protocol push/pop. (An SGR from server text would look the
# same: that the sanitizer turned those into visible text is checked separately.)
APP_CSI = re.compile(r"\x1b\[(?:[0-9;]*m|[0-9]+;[0-9]+H|\?[0-9;]+[hl]|\?[0-9;]+\$p|[<>][0-9;]*u)$")
APP_OSC = re.compile(r"\x1b\]22;[a-z-]+\x07$")  # mouse pointer shape
# Hostile strings shaped exactly like sequences the app writes: their visible stand-ins
# (␛ + the rest) must be in the output instead.
LOOK_LIKE_THE_APP = ("\x1b[31mred\x1b[0m", "\x1b[?1049l")
NOTIFY_OSC = re.compile(r"\x1b\](?:9|777;notify);(?P<body>[^\x07]*)\x07$")  # desktop notification
UNSAFE_CHAR = re.compile(
    r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def audit(text: str) -> dict[str, list[str]]:
    """Everything in a terminal byte stream that the app would not write by itself."""
    found: dict[str, list[str]] = {"sequences": [], "controls": [], "notify_bodies": []}
    plain = []
    last = 0
    for match in SEQUENCE.finditer(text):
        plain.append(text[last : match.start()])
        last = match.end()
        seq = match.group(0)
        if APP_CSI.match(seq) or APP_OSC.match(seq) or seq in ("\x1b7", "\x1b8", "\x1b=", "\x1b>"):
            continue
        notify = NOTIFY_OSC.match(seq)
        if notify:
            if UNSAFE_CHAR.search(notify.group("body")):
                found["notify_bodies"].append(seq)
            continue
        found["sequences"].append(seq)
    plain.append(text[last:])
    rest = "".join(plain).replace("\r\n", "\n")  # the pty's ONLCR turns \n into \r\n
    found["controls"] = [c for c in rest if UNSAFE_CHAR.match(c) or c == "\r"]
    return found


def test_the_auditor_catches_what_it_must():
    """The parser itself: raw hostile text fails it; the app's own sequences pass."""
    for text in HOSTILE[:16] + ["\x1b]8;;http://x\x1b\\"]:
        if text in LOOK_LIKE_THE_APP:
            continue  # see above
        bad = audit(text)
        assert bad["sequences"] or bad["controls"], repr(text)
    assert audit("\x1b[?1049h\x1b[1;1H\x1b[38;2;1;2;3mok\x1b[0m\x1b]22;default\x07\r\n") == {
        "sequences": [],
        "controls": [],
        "notify_bodies": [],
    }
    assert audit("\x1b]9;Run failed: \x9d0;x\x07")["notify_bodies"]


def _start_headless(base: str, tmp_path) -> tuple[list[list[str]], list]:
    """`jobs`, `jobs --json` and `watch` (which ends on the run's hostile failure), started
    in the background: they run while the dashboard runs in the pty."""
    import subprocess

    commands = [
        ["jobs", "--base-url", base],
        ["jobs", "--json", "--base-url", base],
        ["watch", RUN_IDS[0], "--base-url", base],
    ]
    env = child_env(XDG_CONFIG_HOME=str(tmp_path))
    return commands, [
        subprocess.Popen(
            [PYTHON, "-m", "axom_tui", *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for c in commands
    ]


def _audit_headless(commands, procs) -> int:
    outs = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0, 0, 1], (codes, [e[-500:] for _, e in outs])
    escape_bytes = 0
    for (out, err), command in zip(outs, commands):
        for stream in (out, err):
            text = stream.decode("utf-8", "replace")
            found = audit(text.replace("\n", "\r\n"))
            escape_bytes += sum(len(x.encode()) for x in found["sequences"] + found["controls"])
            assert found["sequences"] == [] and found["controls"] == [], (command, found)
    watch_out = outs[2][0].decode()
    assert "failed: " in watch_out and "␛]0;pwned" in watch_out and "2: ␛]8;;http" in watch_out
    figure("terminal: headless outputs audited (jobs, jobs --json, watch)", 6)
    return escape_bytes


@pytest.mark.slow  # the real app in a pty against a hostile server
def test_real_app_in_a_pty_writes_no_server_controlled_escapes(tmp_path):
    api, other = HostileApi(flip_after=1.5), HostileApi(flip_after=1.0)
    with ThreadServer(api.app()) as server, ThreadServer(other.app()) as headless_server:
        commands, procs = _start_headless(headless_server.origin + "/api", tmp_path)
        config = tmp_path / "axom.toml"  # the desktop notification is a setting (off by default)
        config.write_text("[notify]\ndesktop = true\n")
        env = child_env(
            TERM="xterm-256color",
            COLORTERM="truecolor",
            XDG_CONFIG_HOME=str(tmp_path),
            HOME=str(tmp_path),
            AXOM_CONFIG=str(config),
        )
        keys = [
            (0.6, b"\x1b[B"),
            (1.2, b"\x1b[B"),
            (1.8, b"\x1b[B"),
            (2.4, b"\x1b[B"),
            (3.0, b"\x1b[A\x1b[A\x1b[A\x1b[A"),
            (3.6, b"\t"),
            (4.2, b"\t"),
        ]
        run = run_in_pty(
            [PYTHON, "-m", "axom_tui", "--base-url", server.origin + "/api"],
            env,
            cols=160,
            rows=50,
            keys=keys,
            quit_at=5.0,
            ready="·tui".encode(),
            timeout=45,
            cwd=str(tmp_path),
        )
        headless_escape_bytes = _audit_headless(commands, procs)
    text = run.output.decode("utf-8", "replace")
    found = audit(text)
    sequences = SEQUENCE.findall(text)
    kinds = Counter(re.sub(r"[0-9;]+", "N", s)[:12] for s in sequences)
    notify = [s for s in sequences if NOTIFY_OSC.match(s)]
    escape_bytes = sum(len(s.encode()) for s in found["sequences"] + found["notify_bodies"]) + sum(
        len(c.encode()) for c in found["controls"]
    )

    figure("terminal: bytes captured from the pty", len(run.output))
    figure("terminal: escape sequences parsed", len(sequences))
    figure("terminal: hostile strings served", len(HOSTILE) + len(NAMES))
    figure("terminal: escape bytes found from server data", escape_bytes + headless_escape_bytes)

    assert run.returncode == 0, (run.timeline, text[-3000:])
    assert "Traceback" not in text
    assert found["sequences"] == [], found["sequences"][:10]
    assert found["controls"] == [], Counter(found["controls"])
    assert found["notify_bodies"] == [], found["notify_bodies"]
    assert escape_bytes == 0 and headless_escape_bytes == 0
    for marker in (
        "\x1b]0;pwned",
        "\x1b]2;pwned",
        "\x1b]8;",
        "\x1b]52;",
        "\x1b]10;",
        "\x1bP",
        "\x1b_",
        "\x1bc",
        "\x1b[6n",
        "\x1b[21t",
        "\x9b",
        "\x9d",
    ):
        assert marker not in text, repr(marker)
    # no window title set at all (the app never sets one; server text can't)
    assert not re.search(r"\x1b\][012];", text)
    # the hostile data really was on screen, shown as harmless stand-ins
    assert "␛]0;pwned" in text and "evil bidi override" in text and "click to quit" in text
    for raw in LOOK_LIKE_THE_APP:  # shown as text, so they did not act
        assert raw.replace("\x1b", "␛") in text
    # the failed run's notification went out (so the most exposed channel was exercised)
    assert notify, f"no desktop notification; kinds seen: {kinds.most_common(8)}"
    assert leaks_in(text) == []


# ---------------------------------------------------------------- in process: no links, no actions


def _segments(app: AxomApp) -> list:
    console = Console(
        width=app.size[0],
        height=app.size[1],
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return list(console._record_buffer)


def _links_and_actions(app: AxomApp, links: set, actions: set) -> int:
    segments = _segments(app)
    for seg in segments:
        style = seg.style
        if style is None:
            continue
        if style.link:
            links.add(style.link)
        if style._meta and "@click" in style.meta:
            actions.add(style.meta["@click"])
    return len(segments)


async def test_no_link_or_click_action_comes_from_server_text(tmp_path):
    api = HostileApi(flip_after=1.5)
    with ThreadServer(api.app()) as server:
        services = build_services(server.origin + "/api", ApiKey(KEY))
        app = AxomApp(services, UiSettings(notify_desktop=False, screenshot_dir=tmp_path))
        links: set = set()
        actions: set = set()
        inspected = 0
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause(0.8)
            for keys in (["down", "down"], ["down", "down"], ["up", "up", "up", "up", "tab"]):
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause(0.2)
                inspected += _links_and_actions(app, links, actions)
            header = app.screen.query_one(HeaderBar)
            for _ in range(60):  # the failed run's notice, in the header
                if header.notices:
                    break
                await pilot.pause(0.1)
            await pilot.pause(0.3)
            inspected += _links_and_actions(app, links, actions)
            notices = [n.body for n in header.notices]
            shown = header.content.plain
            svg = app.export_screenshot()
            assert app.is_running
    figure("terminal: rendered segments inspected (Pilot)", inspected)
    assert notices and "[@click=app.quit]" in notices[0], notices  # shown as text
    assert "[@click=app.quit]" in shown
    assert links == set(), links
    assert not any("quit" in str(a) or "evil" in str(a) for a in actions), actions
    assert not re.search(r"<a[^>]+evil\.example", svg)


SANITIZER_EXAMPLES = 300


@settings(max_examples=SANITIZER_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(
    st.text(alphabet=st.characters(codec=None, exclude_categories=["Cs"]), max_size=60)
    | st.lists(st.sampled_from(HOSTILE), max_size=5).map("".join)
)
def test_clean_text_never_lets_a_control_through(text):
    out = clean_text(text, max_len=None)
    assert not UNSAFE_CHAR.search(out) and "\x1b" not in out and "\n" not in out
    assert audit(out)["sequences"] == []

    figure("fuzz: cases run (sanitizer)", 1)
