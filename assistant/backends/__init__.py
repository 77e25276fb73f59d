"""Backends behind small interfaces: embedders, vector stores, keyword indexes."""
