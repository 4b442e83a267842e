//! Authority keys: [`ThresholdParams`], the [`GroupPublicKey`] (issuing key `X, Y_m, Y_e`,
//! tracing key `T`, and every authority's verification key), and an authority's
//! [`AuthoritySecretKey`] (its shares `x_i, y_m_i, y_e_i, τ_i`). Keys come from the DKG
//! ([`crate::dkg`]).

use core::fmt;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::{self, G1_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes, g1_to_evm};
use crate::encoding::{self, DecodeError, SecretKind, WireType, Writer};

/// Number of secrets per key: `x`, `y_m`, `y_e`, `τ` (in this order everywhere).
pub(crate) const KEY_PARTS: usize = 4;
pub(crate) const X: usize = 0;
pub(crate) const YM: usize = 1;
pub(crate) const YE: usize = 2;
pub(crate) const TAU: usize = 3;

pub(crate) fn fmt_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// Most authorities a key set may have: the on-chain `IdentityRegistry.MAX_AUTHORITIES`. It also
/// bounds the work of decoding untrusted group keys (the consistency check is `O(t·n)`).
pub const MAX_AUTHORITIES: usize = 16;

/// Error returned by [`ThresholdParams::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdError {
    /// Not `1 <= t <= n <= MAX_AUTHORITIES`.
    OutOfRange,
}

impl fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "threshold parameters must satisfy 1 <= t <= n <= {MAX_AUTHORITIES}"
        )
    }
}

impl core::error::Error for ThresholdError {}

/// `t`-of-`n`: `n` authorities with indices `1..=n`; any `t` of them issue or trace, `t - 1`
/// cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThresholdParams {
    t: u8,
    n: u8,
}

impl ThresholdParams {
    /// Checks `1 <= t <= n <= MAX_AUTHORITIES`.
    pub fn new(t: usize, n: usize) -> Result<Self, ThresholdError> {
        if t == 0 || t > n || n > MAX_AUTHORITIES {
            return Err(ThresholdError::OutOfRange);
        }
        Ok(Self {
            t: t as u8,
            n: n as u8,
        })
    }

    /// The threshold `t`.
    pub fn threshold(&self) -> usize {
        usize::from(self.t)
    }

    /// The number of authorities `n`.
    pub fn authorities(&self) -> usize {
        usize::from(self.n)
    }

    pub(crate) fn contains(&self, index: u8) -> bool {
        index >= 1 && index <= self.n
    }
}

/// The verification key of authority `i`: `X_i = x_i·G1, Y_m_i, Y_e_i, T_i = τ_i·G1`. Users check
/// partial credentials against it; the contract checks trace shares against `T_i`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuthorityVerificationKey {
    pub(crate) index: u8,
    pub(crate) points: [G1Affine; KEY_PARTS],
}

impl AuthorityVerificationKey {
    /// The authority's share index `i` (`1..=n`).
    pub fn index(&self) -> u8 {
        self.index
    }

    /// EVM view `[X_i, Y_m_i, Y_e_i, T_i]`, each 64 bytes `x || y`.
    pub fn to_evm_points(&self) -> [[u8; 64]; KEY_PARTS] {
        self.points.map(|p| g1_to_evm(&p))
    }
}

impl fmt::Debug for AuthorityVerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorityVerificationKey({}, ", self.index)?;
        for p in &self.points {
            fmt_hex(f, &g1_to_bytes(p))?;
        }
        f.write_str(")")
    }
}

/// The public key of the authority set: `X = x·G1`, `Y_m = y_m·G1`, `Y_e = y_e·G1`
/// (issuing key), `T = τ·G1` (tracing key), the parameters `t`, `n`, and the verification key
/// of every authority. Published on chain (EVM view: [`GroupPublicKey::to_evm_points`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct GroupPublicKey {
    pub(crate) params: ThresholdParams,
    pub(crate) group: [G1Affine; KEY_PARTS],
    pub(crate) authorities: Vec<[G1Affine; KEY_PARTS]>,
}

impl GroupPublicKey {
    /// The threshold parameters.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// Authority `index`'s verification key (`1..=n`).
    pub fn authority(&self, index: u8) -> Option<AuthorityVerificationKey> {
        self.params
            .contains(index)
            .then(|| AuthorityVerificationKey {
                index,
                points: self.authorities[usize::from(index) - 1],
            })
    }

    /// Every authority's verification key, by index.
    pub fn authorities(&self) -> impl Iterator<Item = AuthorityVerificationKey> + '_ {
        (1..=self.params.n).filter_map(|i| self.authority(i))
    }

    /// EVM view `[X, Y_m, Y_e, T]`, each 64 bytes `x || y`.
    pub fn to_evm_points(&self) -> [[u8; 64]; KEY_PARTS] {
        self.group.map(|p| g1_to_evm(&p))
    }

    pub(crate) fn x(&self) -> &G1Affine {
        &self.group[X]
    }
    pub(crate) fn y_m(&self) -> &G1Affine {
        &self.group[YM]
    }
    pub(crate) fn y_e(&self) -> &G1Affine {
        &self.group[YE]
    }
    pub(crate) fn tracing(&self) -> &G1Affine {
        &self.group[TAU]
    }

    /// Length of [`to_bytes`](Self::to_bytes) for `n` authorities.
    pub const fn encoded_len(n: usize) -> usize {
        3 + KEY_PARTS * G1_LEN * (1 + n)
    }

    /// `0x1C || t (1) || n (1) || X || Y_m || Y_e || T || (X_i || Y_m_i || Y_e_i || T_i) for
    /// i = 1..=n`, points compressed (32 bytes each): `3 + 128·(n + 1)` bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.params.authorities();
        let mut w = Writer::new(WireType::GroupPublicKey, Self::encoded_len(n));
        w.put(&[self.params.t, self.params.n]);
        for p in self.group.iter().chain(self.authorities.iter().flatten()) {
            w.put(&g1_to_bytes(p));
        }
        w.finish()
    }

    /// Decodes [`to_bytes`](Self::to_bytes); also checks that the authority keys lie on one
    /// polynomial of degree `t - 1` whose value at 0 is the group key (else
    /// [`DecodeError::InconsistentKeyShares`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::GroupPublicKey, None)?;
        if bytes.len() < 3 {
            return Err(DecodeError::WrongLength {
                expected: Self::encoded_len(1),
                actual: bytes.len(),
            });
        }
        let [t, n] = r.take::<2>();
        let params = ThresholdParams::new(usize::from(t), usize::from(n))
            .map_err(|_| DecodeError::InvalidThreshold)?;
        let len = Self::encoded_len(usize::from(n));
        if bytes.len() != len {
            return Err(DecodeError::WrongLength {
                expected: len,
                actual: bytes.len(),
            });
        }
        let mut read4 = || -> Result<[G1Affine; KEY_PARTS], DecodeError> {
            let mut out = [G1Affine::zero(); KEY_PARTS];
            for p in &mut out {
                *p = g1_from_bytes(&r.take())?;
            }
            Ok(out)
        };
        let group = read4()?;
        let authorities = (0..n).map(|_| read4()).collect::<Result<Vec<_>, _>>()?;
        let gpk = Self {
            params,
            group,
            authorities,
        };
        if !gpk.is_consistent() {
            return Err(DecodeError::InconsistentKeyShares);
        }
        Ok(gpk)
    }

    /// Interpolates the first `t` authority keys at 0 and at every other index.
    pub(crate) fn is_consistent(&self) -> bool {
        let t = self.params.threshold();
        let xs: Vec<Fr> = (1..=t as u64).map(Fr::from).collect();
        let eval = |at: Fr| -> Option<[G1Affine; KEY_PARTS]> {
            let mut acc = [G1Projective::zero(); KEY_PARTS];
            for (i, key) in self.authorities[..t].iter().enumerate() {
                let l = curve::lagrange_at(&xs, i, &at)?;
                for (a, p) in acc.iter_mut().zip(key) {
                    *a += curve::mul1(p, &l);
                }
            }
            let v = G1Projective::normalize_batch(&acc);
            Some([v[0], v[1], v[2], v[3]])
        };
        if eval(Fr::zero()) != Some(self.group) {
            return false;
        }
        (t + 1..=self.params.authorities())
            .all(|j| eval(Fr::from(j as u64)) == Some(self.authorities[j - 1]))
    }
}

impl fmt::Debug for GroupPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupPublicKey({}-of-{}, ", self.params.t, self.params.n)?;
        for p in &self.group {
            fmt_hex(f, &g1_to_bytes(p))?;
        }
        f.write_str(")")
    }
}

/// Authority `i`'s secret shares `(x_i, y_m_i, y_e_i, τ_i)`. Signs blinded issuance requests
/// ([`AuthoritySecretKey::blind_sign`](crate::AuthoritySecretKey::blind_sign)) and makes trace
/// shares. Zeroized on drop; `Debug` prints no secret.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AuthoritySecretKey {
    #[zeroize(skip)]
    pub(crate) index: u8,
    pub(crate) shares: [Fr; KEY_PARTS],
}

impl AuthoritySecretKey {
    /// Length of [`to_secret_bytes`](Self::to_secret_bytes).
    pub const ENCODED_LEN: usize = 3 + KEY_PARTS * SCALAR_LEN;

    /// The authority's share index `i`.
    pub fn index(&self) -> u8 {
        self.index
    }

    /// The matching verification key.
    pub fn verification_key(&self) -> AuthorityVerificationKey {
        let v = G1Projective::normalize_batch(&self.shares.map(|s| curve::mul_g1(&s)));
        AuthorityVerificationKey {
            index: self.index,
            points: [v[0], v[1], v[2], v[3]],
        }
    }

    /// `0x1F || 0x02 || index || x_i || y_m_i || y_e_i || τ_i` (scalars 32 bytes big-endian),
    /// in a buffer zeroized on drop (keystores only).
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::secret(SecretKind::AuthoritySecretKey, Self::ENCODED_LEN);
        w.put(&[self.index]);
        for s in &self.shares {
            w.put(Zeroizing::new(curve::scalar_to_be(s)).as_slice());
        }
        Zeroizing::new(w.finish())
    }

    /// Decodes [`to_secret_bytes`](Self::to_secret_bytes); rejects index 0 and scalars `>= r`.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r =
            encoding::open_secret(bytes, SecretKind::AuthoritySecretKey, Self::ENCODED_LEN)?;
        let [index] = r.take::<1>();
        if index == 0 {
            return Err(DecodeError::InvalidThreshold);
        }
        let mut shares = [Fr::zero(); KEY_PARTS];
        for s in &mut shares {
            *s = curve::scalar_from_be(&Zeroizing::new(r.take()))?;
        }
        Ok(Self { index, shares })
    }
}

impl fmt::Debug for AuthoritySecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthoritySecretKey({}, <redacted>)", self.index)
    }
}
