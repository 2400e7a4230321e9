"""Several Ollama servers as one fleet: which servers there are, their names and keys, each one's client,
models shown as ``model · server``, and which server a new chat goes to."""
