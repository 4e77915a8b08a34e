"""The EPUB writer: EPUBCheck 5 as the oracle (0 errors, 0 warnings), content completeness per chapter,
structure from the parsed OPF, nav and NCX, byte-identical rebuilds, and the rendering rules of convert.render."""
