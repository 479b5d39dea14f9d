"""The command line: thin click commands over the library. The only package that imports click."""
