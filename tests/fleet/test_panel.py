"""The sidebar's servers (lib/fleet/panel.py) in the whole app: the list with health dots, Add a server,
rename, a key per added server, remove, and nothing of it when locked."""

from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest

from lib import state
from lib.access import locked as access
from lib.fleet.panel import slug
from tests.conftest import ENTRY_POINT
from tests.streamlit_process import free_port


def sidebar_texts(at: AppTest) -> list[str]:
    return [element.value for element in (*at.sidebar.markdown, *at.sidebar.caption, *at.sidebar.error)]


def rows(at: AppTest) -> list[str]:
    return [m.value for m in at.sidebar.markdown if m.value.startswith((":green[●] **", ":red[●] **"))][1:]


def popovers(at: AppTest) -> list[str]:
    return [block.proto.popover.label for block in at.sidebar.get("popover")]


def add(at: AppTest, address: str, name: str = "", key: str = "") -> AppTest:
    at.sidebar.text_input(key=state.FLEET_ADD_ADDRESS_INPUT).input(address)
    at.sidebar.text_input(key=state.FLEET_ADD_NAME_INPUT).input(name)
    at.sidebar.text_input(key=state.FLEET_ADD_KEY_INPUT).input(key)
    return at.sidebar.button(key="fleet_add_submit").click().run()


def test_one_server_lists_nothing_and_offers_add_a_server(open_app, fake):
    at = open_app()
    assert rows(at) == []
    assert "**Servers**" not in sidebar_texts(at)
    assert not any("servers ·" in text for text in sidebar_texts(at))
    assert "Add a server" in popovers(at)


def test_a_server_added_with_a_key_is_listed_answering_and_the_key_goes_to_it_only(open_app, fake, gpu, caplog):
    caplog.set_level(logging.DEBUG)
    at = add(open_app(), gpu.url, "gpu", "sk-gpu-secret")
    assert not at.exception
    assert rows(at) == [":green[●] **localhost**", ":green[●] **gpu**"]
    assert f"`{gpu.url}`" in sidebar_texts(at)
    assert "**localhost** · 2 servers · 2 answering" in sidebar_texts(at)
    assert at.sidebar.text_input(key=state.FLEET_ADD_KEY_INPUT).value == ""
    assert at.sidebar.text_input(key=state.FLEET_ADD_ADDRESS_INPUT).value == ""
    assert gpu.requests and all(r.headers.get("Authorization") == "Bearer sk-gpu-secret" for r in gpu.requests)
    assert all("Authorization" not in r.headers for r in fake.requests)
    assert not any("sk-gpu-secret" in text for text in sidebar_texts(at))
    assert "sk-gpu-secret" not in caplog.text


def test_a_duplicate_is_refused_with_a_sentence_and_its_key_not_kept(open_app, fake, gpu):
    at = add(open_app(), gpu.url, "gpu")
    add(at, f"{gpu.url}/", "other", "sk-dup")
    assert at.sidebar.error[0].value == f"`{gpu.url}` is already in the list, as **gpu**."
    assert at.sidebar.text_input(key=state.FLEET_ADD_KEY_INPUT).value == ""
    assert at.session_state[state.SERVER_KEYS] == {}
    add(at, "10.0.0.9", "GPU")
    assert "The name **GPU** is taken" in at.sidebar.error[0].value
    assert len(rows(at)) == 2
    add(at, "127.0.0.1:1", "dead")
    assert not at.sidebar.error


def test_a_server_that_is_down_is_red_with_its_reason(open_app, fake):
    at = add(open_app(), f"127.0.0.1:{free_port()}", "dead")
    assert rows(at)[1].startswith(":red[●] **dead**")
    assert any(caption.endswith("· not answering: Home says why") for caption in sidebar_texts(at))
    assert "**localhost** · 2 servers · 1 answering" in sidebar_texts(at)


def test_an_added_server_is_renamed_keyed_and_removed_the_environments_is_not(open_app, fake, gpu):
    at = add(open_app(), gpu.url, "gpu")
    suffix = slug(gpu.url)
    assert not [box for box in at.sidebar.text_input if box.key == f"{state.FLEET_NAME_INPUT}_{slug(fake.url)}"]
    at.sidebar.text_input(key=f"{state.FLEET_NAME_INPUT}_{suffix}").input("big-gpu").run()
    assert rows(at)[1] == ":green[●] **big-gpu**"
    at.sidebar.text_input(key=f"{state.FLEET_NAME_INPUT}_{suffix}").input("localhost").run()
    assert "is taken" in at.sidebar.error[0].value
    assert at.sidebar.text_input(key=f"{state.FLEET_NAME_INPUT}_{suffix}").value == "big-gpu"  # back to its name

    gpu.api_key = "sk-late"
    key_box = f"{state.FLEET_KEY_INPUT}_{suffix}"
    at.sidebar.text_input(key=key_box).input("sk-late").run()
    assert at.sidebar.text_input(key=key_box).value == ""
    assert at.sidebar.text_input(key=key_box).placeholder == "a key is set; type to replace it"
    assert rows(at)[1].startswith(":green[●]")  # asked again at once, with the key
    assert gpu.requests[-1].headers["Authorization"] == "Bearer sk-late"

    at.sidebar.button(key=f"{state.FLEET_REMOVE_BUTTON}_{suffix}").click().run()
    assert rows(at) == []
    assert at.session_state[state.SERVER_KEYS] == {}


def test_locked_the_environments_servers_are_counted_and_nothing_can_be_added(fake, gpu, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.FLEET_ADDED] = [("http://10.0.0.8:11434", "lab")]  # whatever the session holds
    at.run()
    assert not at.exception
    assert "**laptop** · 2 servers · 2 answering" in sidebar_texts(at)
    assert "Add a server" not in popovers(at)
    assert state.FLEET_ADD_ADDRESS_INPUT not in {box.key for box in at.sidebar.text_input}
    assert at.sidebar.selectbox(key=state.SERVER_CHOICE_INPUT).options == [fake.url, gpu.url]


def test_adding_a_server_does_not_move_the_connection_expander(open_app, fake, gpu):
    """The browser keeps an expander open only while it stays at its place among the sidebar's elements."""

    def place(at: AppTest) -> int:
        return next(
            i for i, child in enumerate(at.sidebar.children.values()) if getattr(child, "type", "") == "expander"
        )

    at = open_app()
    before = place(at)
    add(at, gpu.url, "gpu")
    assert "**localhost** · 2 servers · 2 answering" in sidebar_texts(at)
    assert place(at) == before
