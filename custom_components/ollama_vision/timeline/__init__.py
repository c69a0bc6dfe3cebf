"""The timeline: recording analyses, the SQLite store, the snapshot files."""
