"""A test page: the Arena's leaderboard alone, on votes between a plain model and models named as HTML.

Served without the app's Content-Security-Policy, so that a name the charts let through as HTML
would really load its image from ``LISTENER_URL`` (a local server that records requests).
"""

import os

from lib import i18n, state
from lib.arena import leaderboard_view
from lib.arena.records import Battle, Contestant, Vote
from lib.ollama.stats import RunStats

url = os.environ["LISTENER_URL"]
names = [f'<img src="{url}/image.png">', f'<svg><image href="{url}/svg.png"/></svg>', "plain:1b"]
battles, votes = [], []
for number in range(1, 13):
    first, second = names[number % 3], names[(number + 1) % 3]
    contestants = (
        Contestant("A", first, stats=RunStats(output_tokens_per_second=10.0 * (number % 3 + 1))),
        Contestant("B", second, stats=RunStats(output_tokens_per_second=10.0 * ((number + 1) % 3 + 1))),
    )
    battles.append(Battle("prompt", contestants, tags=(f"<b>{url}/tag.png</b>",), created_at=0.0, id=number))
    votes.append(Vote(number, "me", "A" if number % 2 else "B"))
state.init()
i18n.init()
leaderboard_view.draw(battles, votes, key="board")
