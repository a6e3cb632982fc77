//! Node names interned to dense `u32` ids. Every name is kept once, back to back in
//! one string, and found again through a hash table of ids rather than of strings,
//! so that ten million names cost their own bytes plus about ten bytes each (an end
//! offset, and a table slot with its control byte), not a heap allocation apiece.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::graph::GraphError;

#[derive(Default)]
pub struct Names {
    /// Every name, back to back, in id order.
    text: String,
    /// Where each name ends in `text`; name `i` starts where name `i - 1` ends.
    ends: Vec<u32>,
    /// The ids, placed by the hash of their name.
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

/// Name `id` out of `text` and `ends` (a free function, so that the hash table can
/// rehash while `Names` is borrowed mutably). Ids come only from `Names::intern`.
fn slice<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

impl Names {
    /// How many names there are; ids are `0..len`.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The name of `id`, which must come from this `Names`.
    pub fn name(&self, id: u32) -> &str {
        slice(&self.text, &self.ends, id)
    }

    /// The id of `name`, if it was interned.
    pub fn find(&self, name: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(name);
        self.table
            .find(hash, |&id| slice(&self.text, &self.ends, id) == name)
            .copied()
    }

    /// The id of `name`, giving it the next id if it is new.
    pub fn intern(&mut self, name: &str) -> Result<u32, GraphError> {
        let hash = self.hasher.hash_one(name);
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        if let Some(&id) = table.find(hash, |&id| slice(text, ends, id) == name) {
            return Ok(id);
        }
        let id = u32::try_from(ends.len()).map_err(|_| GraphError::TooManyNodes)?;
        let end = u32::try_from(text.len() + name.len()).map_err(|_| GraphError::NamesTooLong)?;
        text.push_str(name);
        ends.push(end);
        table.insert_unique(hash, id, |&id| hasher.hash_one(slice(text, ends, id)));
        Ok(id)
    }

    /// Makes room for `more` new names of about `bytes` bytes in all.
    pub fn reserve(&mut self, more: usize, bytes: usize) {
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        text.reserve(bytes);
        ends.reserve(more);
        table.reserve(more, |&id| hasher.hash_one(slice(text, ends, id)));
    }

    /// The bytes this holds on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        // A hash table slot is the id and one control byte.
        self.text.capacity() + self.ends.capacity() * 4 + self.table.capacity() * 5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_interned_twice_keeps_its_first_id() {
        let mut names = Names::default();
        let a = names.intern("lot:LACTOSE/2").unwrap();
        let b = names.intern("batch:CMO-SI/19").unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!(names.intern("lot:LACTOSE/2").unwrap(), a);
        assert_eq!(names.name(b), "batch:CMO-SI/19");
        assert_eq!(names.find("lot:LACTOSE/2"), Some(a));
        assert_eq!(names.find("lot:LACTOSE/3"), None);
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn many_names_survive_the_table_growing() {
        let mut names = Names::default();
        for i in 0..10_000 {
            assert_eq!(names.intern(&format!("lot:M/{i}")).unwrap(), i);
        }
        for i in 0..10_000 {
            assert_eq!(names.find(&format!("lot:M/{i}")), Some(i));
            assert_eq!(names.name(i), format!("lot:M/{i}"));
        }
        // An empty name is a name like any other.
        assert_eq!(names.intern("").unwrap(), 10_000);
        assert_eq!(names.name(10_000), "");
    }
}
