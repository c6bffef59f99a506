//! Where alerts, cases, blocked orders, approval requests and repair plans stand.
//!
//! Each status is stored and sent as its code (`open`, `blocked`, `pending` …), exactly as
//! the text columns hold it; these enums give the code one spelling and let code compare
//! against a stored `String` without a string literal.

/// A status code that is not one of its enum's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not one of {expected}")]
pub struct UnknownStatus {
    pub text: String,
    pub expected: &'static str,
}

/// Declares a status enum stored as its code, with `as_str`, `FromStr`, `Display`, serde
/// as the code, and comparisons with `str` and `String` in both directions.
macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every status, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            /// All codes joined for messages: `open|closed`.
            pub fn codes_joined() -> String {
                Self::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|")
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = UnknownStatus;
            fn from_str(text: &str) -> Result<Self, UnknownStatus> {
                match text {
                    $( $code => Ok($name::$variant), )+
                    _ => Err(UnknownStatus {
                        text: text.to_owned(),
                        expected: concat!($( $code, "|" ),+).trim_end_matches('|'),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_owned()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

status_enum! {
    /// An alert is open while its rule keeps firing, closed when it stops or is closed by
    /// hand.
    pub enum AlertStatus {
        Open = "open",
        Closed = "closed",
    }
}

status_enum! {
    /// A case is open until it is closed with an outcome.
    pub enum CaseStatus {
        Open = "open",
        Closed = "closed",
    }
}

status_enum! {
    /// An order the credit check stopped: blocked until released or rejected.
    pub enum BlockedOrderStatus {
        Blocked = "blocked",
        Released = "released",
        Rejected = "rejected",
    }
}

status_enum! {
    /// A request that waits for approval (a limit or a rating override). A newer limit
    /// request for the same customer supersedes a pending one.
    pub enum RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Superseded = "superseded",
    }
}

status_enum! {
    /// A repair plan is open until all its items are done (completed) or it is abandoned.
    pub enum RepairStatus {
        Open = "open",
        Completed = "completed",
        Abandoned = "abandoned",
    }
}

status_enum! {
    /// An item of a repair plan.
    pub enum RepairItemStatus {
        Open = "open",
        Done = "done",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_write_and_compare_as_their_codes() {
        assert_eq!("blocked".parse(), Ok(BlockedOrderStatus::Blocked));
        assert_eq!(
            "gone".parse::<CaseStatus>(),
            Err(UnknownStatus { text: "gone".into(), expected: "open|closed" })
        );
        let stored = String::from("pending");
        assert!(stored == RequestStatus::Pending);
        assert!(stored != RequestStatus::Approved);
        assert!(RepairStatus::Open == "open");
        assert_eq!(String::from(AlertStatus::Closed), "closed");
        assert_eq!(RequestStatus::codes_joined(), "pending|approved|rejected|superseded");
    }
}
