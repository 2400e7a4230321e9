"""Documents a visitor chats with: text extraction, passages, their vectors, retrieval and grounded answers."""
