//! Closed lists of values (a classification, a category, a kind): each with the name
//! it is stored under, a label for people, and a parser whose error lists the choices.

/// Generates a closed list of values with their stored names and labels.
#[macro_export]
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            pub fn parse(field: &str, raw: &str) -> Result<$name, $crate::FieldError> {
                let wanted = raw.trim().to_lowercase().replace([' ', '-', '/'], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::FieldError::new(
                            field,
                            format!(concat!("'{}' is not ", $what, "; use one of {}"), raw.trim(), names.join(", ")),
                        )
                    })
            }
        }
    };
}
