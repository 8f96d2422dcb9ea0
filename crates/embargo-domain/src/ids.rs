//! Identifiers: one newtype over [`Uuid`] per entity, so that a `CaseId` can never be passed where a
//! `ReportId` is expected. The domain never generates them: `service` makes v7 UUIDs and passes them in.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A vulnerability case.
    CaseId
);
id_type!(
    /// One submission as received.
    ReportId
);
id_type!(
    /// A user: staff, engineer, collaborator or reporter with an account.
    UserId
);
id_type!(
    /// One message in a case's thread.
    MessageId
);
id_type!(
    /// A product of the catalog (Gateway).
    ProductId
);
id_type!(
    /// An edition of a product (Gateway Enterprise).
    EditionId
);
id_type!(
    /// A release line of an edition (Gateway Enterprise 3.4.x).
    ReleaseLineId
);

id_type!(
    /// A planned or shipped patch release of one release line.
    ReleaseId
);
id_type!(
    /// The public advisory of a case (its public id is `EMB-YYYY-NNNN`).
    AdvisoryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_string_form_and_reject_garbage() {
        let id = CaseId::from_uuid(Uuid::from_u128(42));
        assert_eq!(id.to_string().parse::<CaseId>().unwrap(), id);
        assert_eq!(Uuid::from(id), Uuid::from_u128(42));
        for bad in [
            "",
            "42",
            "not-a-uuid",
            "00000000-0000-0000-0000-00000000002g",
        ] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad:?}");
            assert!(bad.parse::<ReportId>().is_err(), "{bad:?}");
        }
    }
}
