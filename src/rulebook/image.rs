//! The built-in rulebook as the build script leaves it (`build.rs`): the sections of
//! `rules/*.yaml` merged in file order, and where each item was written. The build script
//! validates the rulebook and checks that every rule can fire before it writes the
//! image, so at run time the image is only read back, through the same `Deserialize`
//! impls as the YAML, into the same `Rulebook`.
//!
//! The image is three parts, each after its length (4 bytes, little-endian) but the
//! last: the table of texts, the sections, and where each item was written, the last two
//! in the [`packed`](super::packed) format. A check never needs the locations (only error
//! messages and `rules show` do), so [`read`] keeps their bytes to read on first use.
//!
//! Owns the image format and nothing else: no validation happens here.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::model::RulebookFile;
use super::packed::{Decoder, Encoder};
use super::{Location, Locations, Origin, Rulebook};

/// Where one item was written: (file, line), in the order the loader found them.
type Places = Vec<(String, Option<usize>)>;

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
    let mut locations: Vec<(&String, Places)> = book
        .locations
        .map()
        .iter()
        .map(|(id, places)| {
            let places = places.iter().map(|l| (l.file.clone(), l.line)).collect();
            (id, places)
        })
        .collect();
    // Sorted, so the same rules give a byte-identical image.
    locations.sort();
    let locations = serde_json::to_value(locations).map_err(|e| e.to_string())?;
    let mut encoder = Encoder::default();
    let sections = encoder.encode(&serde_json::Value::Object(merged));
    let locations = encoder.encode(&locations);
    let mut image = Vec::new();
    for part in [encoder.table().as_bytes(), &sections] {
        let length = u32::try_from(part.len()).map_err(|e| e.to_string())?;
        image.extend(length.to_le_bytes());
        image.extend(part);
    }
    image.extend(locations);
    Ok(image)
}

/// The rulebook in an image written by [`write`]; its locations are read on first use.
pub fn read(image: &'static [u8]) -> Result<Rulebook, String> {
    let (table, rest) = part(image)?;
    let (sections, locations) = part(rest)?;
    // The one check that the texts are UTF-8: every text read below is a slice of this.
    let table = std::str::from_utf8(table).map_err(|e| format!("its table of texts: {e}"))?;
    let table = *TABLE.get_or_init(|| table);
    let sections: RulebookFile = Decoder::new(sections, table)
        .read()
        .map_err(|e| e.to_string())?;
    Ok(Rulebook::assemble(
        sections,
        Origin::Builtin,
        Locations::InImage {
            table,
            bytes: locations,
            read: OnceLock::new(),
        },
    ))
}

/// Reads the whole of an image, locations included, and drops it: how the build script
/// makes sure the image it wrote reads back (a value the YAML loader accepts but the
/// image cannot carry fails the build, not every start).
pub fn verify(image: &'static [u8]) -> Result<(), String> {
    match read(image)?.locations {
        Locations::InImage { table, bytes, .. } => read_locations(table, bytes).map(|_| ()),
        Locations::Read(_) => Ok(()),
    }
}

/// The table of texts of the image read first, which [`lend`] lends from.
static TABLE: OnceLock<&'static str> = OnceLock::new();

/// `text` for the rest of the run, when it lies in the table of the built-in image (as
/// the texts [`read`] hands out do): a rulebook read from the image refers to its texts
/// where they lie instead of copying each.
pub(super) fn lend(text: &str) -> Option<&'static str> {
    let table = TABLE.get()?;
    let offset = (text.as_ptr() as usize).checked_sub(table.as_ptr() as usize)?;
    table.get(offset..offset.checked_add(text.len())?)
}

/// The part at the start of `bytes` (after its length) and what follows it.
fn part(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (length, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or("it ends inside a length")?;
    let length = usize::try_from(u32::from_le_bytes(*length)).map_err(|e| e.to_string())?;
    if rest.len() < length {
        return Err("it ends inside a part".into());
    }
    Ok(rest.split_at(length))
}

/// The locations that [`read`] left unread.
pub(super) fn read_locations(
    table: &str,
    bytes: &[u8],
) -> Result<HashMap<String, Vec<Location>>, String> {
    let locations: Vec<(String, Places)> = Decoder::new(bytes, table)
        .read()
        .map_err(|e| e.to_string())?;
    Ok(locations
        .into_iter()
        .map(|(id, places)| {
            let places = places
                .into_iter()
                .map(|(file, line)| Location { file, line })
                .collect();
            (id, places)
        })
        .collect())
}
