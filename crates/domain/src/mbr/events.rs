//! What happens to an MBR version.

use serde::{Deserialize, Serialize};

use super::MbrStatus;
use super::recipe::Recipe;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MbrDrafted {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<u32>,
    pub recipe: Recipe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MbrRevised {
    pub recipe: Recipe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MbrSuperseded {
    pub by: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MbrRetired {
    pub from: MbrStatus,
}
