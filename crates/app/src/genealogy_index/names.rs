//! Node names interned to dense `u32` ids. Every name is kept once, back to back in
//! one string, and found again through a hash table of ids rather than of strings,
//! so that ten million names cost their own bytes plus about fifteen bytes each (an
//! end offset, and a table slot of id, hash and control byte), not a heap allocation
//! apiece. The slot keeps 32 bits of the name's hash so that growing the table does
//! not read every name again (that took a third of the time of interning 19 million
//! names).

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::graph::GraphError;

#[derive(Default)]
pub struct Names {
    /// Every name, back to back, in id order.
    text: String,
    /// Where each name ends in `text`; name `i` starts where name `i - 1` ends.
    ends: Vec<u32>,
    /// The ids with 32 bits of their name's hash, placed by that hash.
    table: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
}

/// Name `id` out of `text` and `ends` (a free function, so that the table can be
/// searched while `Names` is borrowed mutably). Ids come only from `Names::intern`.
fn slice<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

/// The table's hash of a kept 32-bit hash: spread over all 64 bits, because the
/// table places by the low bits and tags by the top ones.
fn spread(kept: u32) -> u64 {
    u64::from(kept).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Names {
    /// The 32 bits of `name`'s hash that the table keeps.
    fn kept(&self, name: &str) -> u32 {
        (self.hasher.hash_one(name) >> 32) as u32
    }

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
        let kept = self.kept(name);
        self.table
            .find(spread(kept), |&(id, k)| {
                k == kept && slice(&self.text, &self.ends, id) == name
            })
            .map(|&(id, _)| id)
    }

    /// The id of `name`, giving it the next id if it is new.
    pub fn intern(&mut self, name: &str) -> Result<u32, GraphError> {
        let kept = self.kept(name);
        let Names {
            text, ends, table, ..
        } = self;
        if let Some(&(id, _)) = table.find(spread(kept), |&(id, k)| {
            k == kept && slice(text, ends, id) == name
        }) {
            return Ok(id);
        }
        let id = u32::try_from(ends.len()).map_err(|_| GraphError::TooManyNodes)?;
        let end = u32::try_from(text.len() + name.len()).map_err(|_| GraphError::NamesTooLong)?;
        text.push_str(name);
        ends.push(end);
        table.insert_unique(spread(kept), (id, kept), |&(_, k)| spread(k));
        Ok(id)
    }

    /// Gives back the room that growing left unused.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.table.shrink_to_fit(|&(_, k)| spread(k));
    }

    /// The bytes this holds on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4 + self.table.allocation_size()
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
