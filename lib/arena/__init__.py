"""The Arena page: blind battles between models, votes, the leaderboard, and rooms an audience votes in."""
