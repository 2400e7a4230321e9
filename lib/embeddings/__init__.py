"""The Embeddings page: texts in, vectors, caches, similarity maths, charts."""
