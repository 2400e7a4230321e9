"""Arena room: a voter's screen, the only page a join link (``/arena?room=CODE``) reaches."""

from lib.arena import room_view

room_view.voter(room_view.requested_room() or "")
