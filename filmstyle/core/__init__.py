"""The bottom layer: errors, files, colour constants, images, video I/O, configs and the file store.

Nothing here imports another filmstyle layer.
"""
__version__ = "0.1.0"
