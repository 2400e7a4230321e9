"""Home with several servers: one section per server, in the order of the list, then where to go next.

Each section says whether its server answers (its version) or why not, then its models (count, disk)
and what it has loaded (``/api/ps``). A server that is down is a sentence naming it, not a page error:
the other sections are drawn as usual. For the sidebar's server, the connection doctor's advice comes
with it, as on Home with one server (:func:`lib.ui.widgets.stop_with_connection_help`).
"""

from __future__ import annotations

import streamlit as st

from lib import server_data
from lib.access import locked as access
from lib.fleet import catalog, servers, session
from lib.fleet.health import Health
from lib.home import doctor, page, summary
from lib.i18n import code, escape, markdown, t
from lib.models.inventory import size_cell
from lib.ollama.errors import OllamaError
from lib.ollama.host import display_host
from lib.ui.errors import error_text


def draw(healths: list[Health]) -> None:
    st.caption(t("fleet.answering", n=len(healths), answering=sum(health.up for health in healths)))
    current = session.current().url
    for health in healths:
        with st.container(border=True):
            section(health, sidebars=health.server.url == current)
    page.links()
    if st.button(t("home.refresh"), icon=":material/refresh:", key="home_refresh"):
        refresh()


def skipped_hosts() -> None:
    """A sentence for each ``OLLAMA_HOST`` entry that cannot be read: left out of the servers, it would
    otherwise be missing without a word."""
    for place, problem in servers.unreadable_hosts():
        st.warning(
            t("fleet.host_entry_skipped", place=place, problem=t(problem.key, **problem.values)),
            icon=":material/dns:",
        )


def refresh() -> None:
    """Ask every server again now, servers that failed a moment ago included."""
    catalog.forget_down()
    server_data.forget_models()
    st.rerun()


def section(health: Health, *, sidebars: bool) -> None:
    """One server: its name and address, whether it answers, its figures and loaded and installed models."""
    server = health.server
    st.subheader(escape(server.name), anchor=False)
    notes = [code(display_host(server.url))]
    if sidebars:
        notes.append(t("fleet.sidebars_server"))
    st.caption(markdown(" · ".join(notes)))
    if health.error is not None:
        down(health.error, server.name, server.url, sidebars=sidebars)
        return
    st.success(
        t("home.connected", version=health.version, server=display_host(server.url)), icon=":material/check_circle:"
    )
    page.figures(health.models, health.loaded)
    st.markdown(f"**{t('home.loaded_heading')}**")
    if health.loaded:
        st.dataframe(summary.loaded_table(health.loaded), hide_index=True, width="stretch")
    else:
        st.caption(t("home.nothing_loaded"))
    if not health.models:
        st.info(t("home.nothing_installed"), icon=":material/inventory_2:")
        return
    with st.expander(t("home.installed_of", n=len(health.models), server=server.name)):
        st.dataframe(
            summary.installed_table(health.models).style.format({t("home.column_size"): size_cell}),
            hide_index=True,
            width="stretch",
        )


def down(error: OllamaError, name: str, url: str, *, sidebars: bool) -> None:
    """A server that cannot be used, named with the reason; for the sidebar's server, what to try too."""
    st.error(t("home.server_down", server=name, reason=error_text(error)), icon=":material/power_off:")
    if not sidebars:
        return
    st.markdown(f"**{t('widgets.what_to_try')}**")
    steps = [t("widgets.locked_advice")] if access.is_locked() else doctor.advice(error, url)
    st.markdown(markdown("\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1))))
    if st.button(t("widgets.retry"), type="primary", icon=":material/refresh:", key="home_retry"):
        refresh()
