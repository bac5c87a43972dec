"""Datasets: resolving `data=`, the built-in synthetic `shapes` set, Ultralytics' label check up
front, and each training's private subset as a tree of symlinks.

Owns: every path to an image or a label. May import: sweep.core.
"""
