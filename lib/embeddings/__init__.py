"""The Embeddings page: texts in, vectors, caches, similarity maths, charts.

The page's layout is :mod:`~lib.embeddings.page`, its sections :mod:`~lib.embeddings.input_section`,
:mod:`~lib.embeddings.model_section`, :mod:`~lib.embeddings.embed_run` and
:mod:`~lib.embeddings.results` (with one module per group of tabs). Below them, without widgets:
:mod:`~lib.embeddings.texts` (parsing), :mod:`~lib.embeddings.models`, :mod:`~lib.embeddings.cache`
(batching and the vector cache), :mod:`~lib.embeddings.similarity`, :mod:`~lib.embeddings.analysis`
(tables and files) and :mod:`~lib.embeddings.charts`.
"""
