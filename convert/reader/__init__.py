"""The one reader: every input (post files, Jekyll and Hugo sites, stdin, convert's JSON) becomes a Collection."""
