//! The built-in rulebook as the build script leaves it (`build.rs`): the sections of
//! `rules/*.yaml` merged in file order, as MessagePack (self-describing, so it reads
//! back through the same `Deserialize` impls as the YAML, and twice as fast as JSON),
//! with where each item was written. The
//! build script validates the rulebook and checks that every rule can fire before it
//! writes the image, so at run time the image is only read back, through the same
//! `Deserialize` impls as the YAML, into the same `Rulebook`.
//!
//! Owns the image format and nothing else: no validation happens here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::model::RulebookFile;
use super::{Location, Origin, Rulebook};

/// Where one item was written: (file, line), in the order the loader found them.
type Places = Vec<(String, Option<usize>)>;

#[derive(Serialize, Deserialize)]
struct Image<S> {
    sections: S,
    locations: Vec<(String, Places)>,
}

/// The image of `book`, read from `files` (the texts it was loaded from, in order).
/// Build time only: the sections are merged from the YAML as written, so the image reads
/// back through exactly the code that read the YAML.
pub fn write(book: &Rulebook, files: &[(String, String)]) -> Result<Vec<u8>, String> {
    let mut merged = serde_json::Map::new();
    for (name, text) in files {
        let value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        let serde_yaml::Value::Mapping(sections) = value else {
            continue;
        };
        for (key, items) in sections {
            let key = key
                .as_str()
                .ok_or(format!("{name}: a section name is not text"))?;
            let items = serde_json::to_value(items).map_err(|e| format!("{name}: {e}"))?;
            match (merged.get_mut(key), items) {
                (Some(serde_json::Value::Array(list)), serde_json::Value::Array(more)) => {
                    list.extend(more)
                }
                (_, items) => {
                    merged.insert(key.to_string(), items);
                }
            }
        }
    }
    let mut locations: Vec<_> = book
        .locations
        .iter()
        .map(|(id, places)| {
            let places = places.iter().map(|l| (l.file.clone(), l.line)).collect();
            (id.clone(), places)
        })
        .collect();
    // Sorted, so the same rules give a byte-identical image.
    locations.sort();
    rmp_serde::to_vec_named(&Image {
        sections: merged,
        locations,
    })
    .map_err(|e| e.to_string())
}

/// The rulebook in an image written by [`write`].
pub fn read(image: &[u8]) -> Result<Rulebook, String> {
    let image: Image<RulebookFile> = rmp_serde::from_slice(image).map_err(|e| e.to_string())?;
    let locations: HashMap<String, Vec<Location>> = image
        .locations
        .into_iter()
        .map(|(id, places)| {
            let places = places
                .into_iter()
                .map(|(file, line)| Location { file, line })
                .collect();
            (id, places)
        })
        .collect();
    Ok(Rulebook::assemble(
        image.sections,
        Origin::Builtin,
        locations,
    ))
}
