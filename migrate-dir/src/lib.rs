//! Migration directories in Atlas's layout: files, atlas.sum, directives, statement splitting.
