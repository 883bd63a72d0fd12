"""BITCUP runtime: hand-written support code copied into every generated backend."""
