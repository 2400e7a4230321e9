"""Embeddings: turn texts into vectors, see which are alike, search them, map them, compare two models."""

from lib.embeddings import page
from lib.fleet import catalog

page.header()
servers = catalog.survey()
page.draw(page.choices(servers), servers)
