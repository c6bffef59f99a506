//! Enumerations whose values carry a stable code and a name in Chinese and English.
//!
//! Codes are what is stored and exchanged; names are what people read. Parsing accepts the
//! code, either name or a listed alias, case-insensitively, so files exported from Chinese
//! and English ERPs both load.

/// A closed vocabulary with stable codes and bilingual names.
pub trait Labelled: Sized + Copy + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The stable code that is stored and exchanged.
    fn code(&self) -> &'static str;
    fn name_zh(&self) -> &'static str;
    fn name_en(&self) -> &'static str;
    /// Further spellings accepted on input.
    fn aliases(&self) -> &'static [&'static str];

    /// Reads a code, a name in either language or an alias.
    fn parse_label(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL.iter().copied().find(|v| {
            v.code().eq_ignore_ascii_case(t)
                || v.name_zh() == t
                || v.name_en().eq_ignore_ascii_case(t)
                || v.aliases().iter().any(|a| a.eq_ignore_ascii_case(t))
        })
    }

    /// All codes joined for error messages: `large|sme|micro`.
    fn codes_joined() -> String {
        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join("|")
    }
}

/// Declares an enum implementing [`Labelled`] plus `Display` (the code) and serde as the
/// code.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $zh:literal, $en:literal $(, $alias:literal)* $(,)?) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $crate::Labelled for $name {
            const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];
            fn code(&self) -> &'static str { match self { $( Self::$variant => $code ),+ } }
            fn name_zh(&self) -> &'static str { match self { $( Self::$variant => $zh ),+ } }
            fn name_en(&self) -> &'static str { match self { $( Self::$variant => $en ),+ } }
            fn aliases(&self) -> &'static [&'static str] {
                match self { $( Self::$variant => &[ $( $alias ),* ] ),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::Labelled::code(self))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::Labelled::code(self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                <Self as $crate::Labelled>::parse_label(&text).ok_or_else(|| {
                    ::serde::de::Error::custom(format!(
                        "'{}' is not one of {}",
                        text,
                        <Self as $crate::Labelled>::codes_joined()
                    ))
                })
            }
        }
    };
}
