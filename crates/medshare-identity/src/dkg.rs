//! Dealer-free key generation: Pedersen's DKG ("joint Feldman") for the four secrets
//! `x, y_m, y_e, τ`, with a proof of possession of each dealer's constant terms.
//!
//! 1. Every authority `j` is a [`Dealer`]: it draws four random polynomials of degree `t - 1`
//!    and broadcasts a [`Dealing`]: Feldman commitments `C_{j,k} = a_{j,k}·G1` to every
//!    coefficient of each polynomial, and a Schnorr proof of knowledge of the constant terms
//!    bound to the session and to `j` (stops rogue-key choices of `C_{j,0}`).
//! 2. It sends each authority `i` a private [`DkgShare`] `f_j(i)` (over an authenticated,
//!    encrypted channel: the caller's job).
//! 3. Authority `i` verifies every dealing ([`Dealing::verify`]) and its share
//!    ([`DkgShare::verify`]: `f_j(i)·G1 = Σ_k i^k·C_{j,k}`). A failure is a **complaint**
//!    against `j` ([`DkgError::InvalidShare`]); `j` must then publish the share, and is
//!    disqualified if it does not verify. `QUAL` is the set of dealers without a valid
//!    complaint.
//! 4. Everybody computes the [`GroupPublicKey`] from the qualified dealings
//!    ([`GroupPublicKey::from_dealings`]: `X = Σ_{j∈QUAL} C^x_{j,0}`, `X_i = Σ_j Σ_k i^k
//!    C^x_{j,k}`, ...); authority `i` sums its shares ([`AuthoritySecretKey::from_dkg`]).
//!
//! Known limitation (Gennaro et al. 1999): a rushing dealer can bias the distribution of the
//! group key; for discrete-log keys used as here this does not help an attacker (Gennaro et
//! al. 2003, "Secure applications of Pedersen's DKG").

use core::fmt;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::{self, G1_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::keys::{AuthoritySecretKey, GroupPublicKey, KEY_PARTS, ThresholdParams};

/// Error of a DKG step ([`Dealer::new_with_rng`], [`Dealing::verify`], [`DkgShare::verify`],
/// [`GroupPublicKey::from_dealings`], [`AuthoritySecretKey::from_dkg`], [`run_dkg_with_rng`]).
/// The dealer index names whom to complain about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DkgError {
    /// An authority index is not in `1..=n`.
    IndexOutOfRange(u8),
    /// A dealing does not have `t` commitments per secret.
    WrongCommitmentCount {
        /// The dealer.
        dealer: u8,
    },
    /// A dealer's proof of possession of its constant terms is invalid.
    InvalidProofOfPossession {
        /// The dealer.
        dealer: u8,
    },
    /// A share does not match the dealer's Feldman commitments: complain about `dealer`.
    InvalidShare {
        /// The dealer.
        dealer: u8,
    },
    /// A share was addressed to another authority or comes from another dealer.
    WrongRecipient,
    /// Two dealings or shares from one dealer.
    DuplicateDealer {
        /// The dealer.
        dealer: u8,
    },
    /// No qualified dealer, or shares missing for some qualified dealer.
    MissingDealings,
    /// The summed secret shares do not match the authority's verification key.
    ShareKeyMismatch,
    /// A dealing or share was verified for another [`DkgSession`].
    WrongSession {
        /// The dealer.
        dealer: u8,
    },
}

impl fmt::Display for DkgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IndexOutOfRange(i) => write!(f, "authority index {i} out of range"),
            Self::WrongCommitmentCount { dealer } => {
                write!(f, "dealing of {dealer} has the wrong number of commitments")
            }
            Self::InvalidProofOfPossession { dealer } => {
                write!(f, "dealing of {dealer}: invalid proof of possession")
            }
            Self::InvalidShare { dealer } => {
                write!(
                    f,
                    "share from dealer {dealer} does not match its commitments"
                )
            }
            Self::WrongRecipient => f.write_str("share for another authority or dealing"),
            Self::DuplicateDealer { dealer } => write!(f, "dealer {dealer} appears twice"),
            Self::MissingDealings => f.write_str("missing dealings or shares"),
            Self::ShareKeyMismatch => {
                f.write_str("secret shares do not match the authority verification key")
            }
            Self::WrongSession { dealer } => {
                write!(
                    f,
                    "dealing or share of {dealer} was verified for another session"
                )
            }
        }
    }
}

impl core::error::Error for DkgError {}

/// A key-generation session: the parameters and a 32-byte session id (e.g.
/// `keccak256(chain id || registry address || ceremony number)`) that every proof of
/// possession is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DkgSession {
    /// Threshold parameters.
    pub params: ThresholdParams,
    /// Session id.
    pub id: [u8; 32],
}

/// A dealer's secret polynomials (`coeffs[k][s]` = coefficient `k` of secret `s`).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Dealer {
    #[zeroize(skip)]
    index: u8,
    #[zeroize(skip)]
    session: DkgSession,
    coeffs: Vec<[Fr; KEY_PARTS]>,
    #[zeroize(skip)]
    dealing: Dealing,
}

/// A dealer's broadcast: Feldman commitments and the proof of possession.
#[derive(Clone, PartialEq, Eq)]
pub struct Dealing {
    pub(crate) dealer: u8,
    pub(crate) commitments: Vec<[G1Affine; KEY_PARTS]>,
    pub(crate) pop_c: Fr,
    pub(crate) pop_z: [Fr; KEY_PARTS],
}

/// A [`Dealing`] whose proof of possession verified for a session; only [`Dealing::verify`]
/// makes one, and [`GroupPublicKey::from_dealings`] checks the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedDealing {
    pub(crate) dealing: Dealing,
    pub(crate) session: DkgSession,
}

/// A private share `f_j(i)` of each of the four secrets, from dealer `j` to authority `i`.
/// Zeroized on drop; send it encrypted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DkgShare {
    #[zeroize(skip)]
    pub(crate) dealer: u8,
    #[zeroize(skip)]
    pub(crate) recipient: u8,
    pub(crate) values: [Fr; KEY_PARTS],
}

/// A [`DkgShare`] that matched its dealer's commitments; only [`DkgShare::verify`] makes one.
/// It remembers the session of that dealing ([`AuthoritySecretKey::from_dkg`] requires one
/// session for all shares).
#[derive(Clone)]
pub struct VerifiedDkgShare {
    pub(crate) share: DkgShare,
    pub(crate) session: DkgSession,
}

fn pop_transcript(
    session: &DkgSession,
    dealer: u8,
    commitments: &[[G1Affine; KEY_PARTS]],
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::DKG_POP);
    t.g1(&curve::g1())
        .bytes32(&session.id)
        .uint(session.params.threshold() as u64)
        .uint(session.params.authorities() as u64)
        .uint(u64::from(dealer));
    for c in commitments.iter().flatten() {
        t.g1(c);
    }
    t
}

/// `Σ_k i^k · C_k` for each secret.
fn eval_commitments(commitments: &[[G1Affine; KEY_PARTS]], i: u8) -> [G1Projective; KEY_PARTS] {
    let x = Fr::from(u64::from(i));
    let mut pow = Fr::from(1u64);
    let mut acc = [G1Projective::zero(); KEY_PARTS];
    for c in commitments {
        for (a, p) in acc.iter_mut().zip(c) {
            *a += curve::mul1(p, &pow);
        }
        pow *= x;
    }
    acc
}

impl Dealer {
    /// Draws the dealer's polynomials and prepares its [`Dealing`].
    pub fn new_with_rng(
        rng: &mut (impl CryptoRng + RngCore),
        session: &DkgSession,
        index: u8,
    ) -> Result<Self, DkgError> {
        if !session.params.contains(index) {
            return Err(DkgError::IndexOutOfRange(index));
        }
        let t = session.params.threshold();
        let coeffs: Vec<[Fr; KEY_PARTS]> = (0..t)
            .map(|_| core::array::from_fn(|_| curve::random_nonzero_scalar(rng)))
            .collect();
        let commitments: Vec<[G1Affine; KEY_PARTS]> = coeffs
            .iter()
            .map(|c| {
                let v = G1Projective::normalize_batch(&c.map(|s| curve::mul_g1(&s)));
                [v[0], v[1], v[2], v[3]]
            })
            .collect();
        // Proof of possession of the constant terms: c = H(.., R_0..R_3), z_s = w_s + c·a_{s,0}.
        let statement = pop_transcript(session, index, &commitments);
        let random = curve::random_bytes32(rng);
        let nonces: Zeroizing<[Fr; KEY_PARTS]> = Zeroizing::new(core::array::from_fn(|s| {
            hashing_ds::hedged_nonce(&random, &coeffs[0], statement.as_bytes(), s as u8)
        }));
        let r = G1Projective::normalize_batch(&nonces.map(|w| curve::mul_g1(&w)));
        let mut tr = statement;
        for p in &r {
            tr.g1(p);
        }
        let c = tr.challenge();
        let pop_z = core::array::from_fn(|s| nonces[s] + c * coeffs[0][s]);
        let dealing = Dealing {
            dealer: index,
            commitments,
            pop_c: c,
            pop_z,
        };
        Ok(Self {
            index,
            session: *session,
            coeffs,
            dealing,
        })
    }

    /// The broadcast message.
    pub fn dealing(&self) -> Dealing {
        self.dealing.clone()
    }

    /// The private share for authority `recipient`.
    pub fn share_for(&self, recipient: u8) -> Result<DkgShare, DkgError> {
        if !self.session.params.contains(recipient) {
            return Err(DkgError::IndexOutOfRange(recipient));
        }
        let x = Fr::from(u64::from(recipient));
        let mut values = [Fr::zero(); KEY_PARTS];
        for c in self.coeffs.iter().rev() {
            for (v, a) in values.iter_mut().zip(c) {
                *v = *v * x + a;
            }
        }
        Ok(DkgShare {
            dealer: self.index,
            recipient,
            values,
        })
    }
}

impl Dealing {
    /// The dealer's index.
    pub fn dealer(&self) -> u8 {
        self.dealer
    }

    /// Checks the dealer index, the number of commitments and the proof of possession.
    // Handing the rejected input back (umbral-pre style) is worth the large `Err`.
    #[allow(clippy::result_large_err)]
    pub fn verify(self, session: &DkgSession) -> Result<VerifiedDealing, (DkgError, Self)> {
        if !session.params.contains(self.dealer) {
            return Err((DkgError::IndexOutOfRange(self.dealer), self));
        }
        if self.commitments.len() != session.params.threshold() {
            let dealer = self.dealer;
            return Err((DkgError::WrongCommitmentCount { dealer }, self));
        }
        let mut tr = pop_transcript(session, self.dealer, &self.commitments);
        let r = G1Projective::normalize_batch(&core::array::from_fn::<_, KEY_PARTS, _>(|s| {
            curve::mul_g1(&self.pop_z[s]) - curve::mul1(&self.commitments[0][s], &self.pop_c)
        }));
        for p in &r {
            tr.g1(p);
        }
        if tr.challenge() != self.pop_c {
            let dealer = self.dealer;
            return Err((DkgError::InvalidProofOfPossession { dealer }, self));
        }
        Ok(VerifiedDealing {
            dealing: self,
            session: *session,
        })
    }

    /// Length of [`to_bytes`](Self::to_bytes) for threshold `t`.
    pub const fn encoded_len(t: usize) -> usize {
        3 + KEY_PARTS * G1_LEN * t + (1 + KEY_PARTS) * SCALAR_LEN
    }

    /// `0x1D || dealer (1) || t (1) || C_{k,s} for k < t, s < 4 (32 bytes each) || c || z_0..z_3`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = self.commitments.len();
        let mut w = Writer::new(WireType::DkgDealing, Self::encoded_len(t));
        w.put(&[self.dealer, t as u8]);
        for c in self.commitments.iter().flatten() {
            w.put(&g1_to_bytes(c));
        }
        w.put(&curve::scalar_to_be(&self.pop_c));
        for z in &self.pop_z {
            w.put(&curve::scalar_to_be(z));
        }
        w.finish()
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (canonical encodings only; no proof check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::DkgDealing, None)?;
        if bytes.len() < 3 {
            return Err(DecodeError::WrongLength {
                expected: Self::encoded_len(1),
                actual: bytes.len(),
            });
        }
        let [dealer, t] = r.take::<2>();
        if dealer == 0 || t == 0 || usize::from(t) > crate::keys::MAX_AUTHORITIES {
            return Err(DecodeError::InvalidThreshold);
        }
        let len = Self::encoded_len(usize::from(t));
        if bytes.len() != len {
            return Err(DecodeError::WrongLength {
                expected: len,
                actual: bytes.len(),
            });
        }
        let mut commitments = Vec::with_capacity(usize::from(t));
        for _ in 0..t {
            let mut c = [G1Affine::zero(); KEY_PARTS];
            for p in &mut c {
                *p = g1_from_bytes(&r.take())?;
            }
            commitments.push(c);
        }
        let pop_c = curve::scalar_from_be(&r.take())?;
        let mut pop_z = [Fr::zero(); KEY_PARTS];
        for z in &mut pop_z {
            *z = curve::scalar_from_be(&r.take())?;
        }
        Ok(Self {
            dealer,
            commitments,
            pop_c,
            pop_z,
        })
    }
}

impl fmt::Debug for Dealing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Dealing(dealer {}, t = {})",
            self.dealer,
            self.commitments.len()
        )
    }
}

impl VerifiedDealing {
    /// The dealer's index.
    pub fn dealer(&self) -> u8 {
        self.dealing.dealer
    }

    /// The session it was verified for.
    pub fn session(&self) -> &DkgSession {
        &self.session
    }

    /// The transport form.
    pub fn unverify(self) -> Dealing {
        self.dealing
    }
}

impl DkgShare {
    /// Dealer index.
    pub fn dealer(&self) -> u8 {
        self.dealer
    }

    /// Recipient index.
    pub fn recipient(&self) -> u8 {
        self.recipient
    }

    /// Feldman check `f_j(i)·G1 = Σ_k i^k·C_{j,k}` for each secret. A failure is a complaint
    /// against the dealer ([`DkgError::InvalidShare`]).
    #[allow(clippy::result_large_err)]
    pub fn verify(self, dealing: &VerifiedDealing) -> Result<VerifiedDkgShare, (DkgError, Self)> {
        if self.dealer != dealing.dealing.dealer {
            return Err((DkgError::WrongRecipient, self));
        }
        let expected = eval_commitments(&dealing.dealing.commitments, self.recipient);
        let ok = self
            .values
            .iter()
            .zip(&expected)
            .all(|(v, e)| curve::mul_g1(v) == *e);
        if !ok {
            let dealer = self.dealer;
            return Err((DkgError::InvalidShare { dealer }, self));
        }
        Ok(VerifiedDkgShare {
            share: self,
            session: dealing.session,
        })
    }

    /// Length of [`to_secret_bytes`](Self::to_secret_bytes).
    pub const ENCODED_LEN: usize = 3 + KEY_PARTS * SCALAR_LEN;

    /// `0x1E || dealer || recipient || f(i) for each secret (32 bytes big-endian)`, zeroized on
    /// drop. Encrypt it for the recipient.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::new(WireType::DkgShare, Self::ENCODED_LEN);
        w.put(&[self.dealer, self.recipient]);
        for v in &self.values {
            w.put(Zeroizing::new(curve::scalar_to_be(v)).as_slice());
        }
        Zeroizing::new(w.finish())
    }

    /// Decodes [`to_secret_bytes`](Self::to_secret_bytes) (no Feldman check).
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::DkgShare, Some(Self::ENCODED_LEN))?;
        let [dealer, recipient] = r.take::<2>();
        if dealer == 0 || recipient == 0 {
            return Err(DecodeError::InvalidThreshold);
        }
        let mut values = [Fr::zero(); KEY_PARTS];
        for v in &mut values {
            *v = curve::scalar_from_be(&Zeroizing::new(r.take()))?;
        }
        Ok(Self {
            dealer,
            recipient,
            values,
        })
    }
}

impl fmt::Debug for DkgShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DkgShare({} -> {}, <redacted>)",
            self.dealer, self.recipient
        )
    }
}

fn check_distinct(dealers: impl Iterator<Item = u8>) -> Result<Vec<u8>, DkgError> {
    let mut seen: Vec<u8> = Vec::new();
    for d in dealers {
        if seen.contains(&d) {
            return Err(DkgError::DuplicateDealer { dealer: d });
        }
        seen.push(d);
    }
    if seen.is_empty() {
        return Err(DkgError::MissingDealings);
    }
    seen.sort_unstable();
    Ok(seen)
}

impl GroupPublicKey {
    /// The group key from the qualified dealings (`QUAL`), each verified for `session`
    /// ([`DkgError::WrongSession`] otherwise): `X = Σ_j C^x_{j,0}` etc., and every
    /// authority's verification key `X_i = Σ_j Σ_k i^k·C^x_{j,k}` etc. Anyone can compute it.
    pub fn from_dealings(
        session: &DkgSession,
        qualified: &[VerifiedDealing],
    ) -> Result<Self, DkgError> {
        check_distinct(qualified.iter().map(|d| d.dealing.dealer))?;
        let n = session.params.authorities();
        let mut group = [G1Projective::zero(); KEY_PARTS];
        let mut auth = vec![[G1Projective::zero(); KEY_PARTS]; n];
        for d in qualified {
            if d.session != *session {
                let dealer = d.dealing.dealer;
                return Err(DkgError::WrongSession { dealer });
            }
            if d.dealing.commitments.len() != session.params.threshold() {
                let dealer = d.dealing.dealer;
                return Err(DkgError::WrongCommitmentCount { dealer });
            }
            for (g, c) in group.iter_mut().zip(&d.dealing.commitments[0]) {
                *g += c;
            }
            for (i, a) in auth.iter_mut().enumerate() {
                let e = eval_commitments(&d.dealing.commitments, (i + 1) as u8);
                for (x, y) in a.iter_mut().zip(e) {
                    *x += y;
                }
            }
        }
        let g = G1Projective::normalize_batch(&group);
        let flat: Vec<G1Projective> = auth.into_iter().flatten().collect();
        let a = G1Projective::normalize_batch(&flat);
        Ok(Self {
            params: session.params,
            group: [g[0], g[1], g[2], g[3]],
            authorities: a
                .chunks(KEY_PARTS)
                .map(|c| [c[0], c[1], c[2], c[3]])
                .collect(),
        })
    }
}

impl AuthoritySecretKey {
    /// Authority `index`'s key: the sum of its verified shares from every qualified dealer,
    /// all verified for one session with `gpk`'s parameters ([`DkgError::WrongSession`]),
    /// checked against its verification key in `gpk` (which catches a missing or extra share).
    pub fn from_dkg(
        gpk: &GroupPublicKey,
        index: u8,
        shares: &[VerifiedDkgShare],
    ) -> Result<Self, DkgError> {
        if !gpk.params.contains(index) {
            return Err(DkgError::IndexOutOfRange(index));
        }
        check_distinct(shares.iter().map(|s| s.share.dealer))?;
        let session = shares.first().ok_or(DkgError::MissingDealings)?.session;
        if let Some(s) = shares
            .iter()
            .find(|s| s.session != session || s.session.params != gpk.params)
        {
            return Err(DkgError::WrongSession {
                dealer: s.share.dealer,
            });
        }
        if shares.iter().any(|s| s.share.recipient != index) {
            return Err(DkgError::WrongRecipient);
        }
        // Checked before summing, so no error path leaves a partial sum unzeroized.
        let mut sum = [Fr::zero(); KEY_PARTS];
        for s in shares {
            for (a, v) in sum.iter_mut().zip(&s.share.values) {
                *a += v;
            }
        }
        let key = Self { index, shares: sum };
        sum.zeroize();
        let vk = gpk
            .authority(index)
            .ok_or(DkgError::IndexOutOfRange(index))?;
        if key.verification_key() != vk || key.shares.iter().any(Zero::is_zero) {
            return Err(DkgError::ShareKeyMismatch);
        }
        Ok(key)
    }
}

/// Runs the whole DKG in one process with honest dealers: for tests, demos and benchmarks.
/// **Not for production**: this process sees every dealer's secret, so it is a trusted dealer.
pub fn run_dkg_with_rng(
    rng: &mut (impl CryptoRng + RngCore),
    params: ThresholdParams,
) -> Result<(GroupPublicKey, Vec<AuthoritySecretKey>), DkgError> {
    let session = DkgSession {
        params,
        id: hashing_ds::keccak256(b"medshare-identity in-process DKG"),
    };
    let n = params.authorities() as u8;
    let dealers = (1..=n)
        .map(|j| Dealer::new_with_rng(rng, &session, j))
        .collect::<Result<Vec<_>, _>>()?;
    let dealings = dealers
        .iter()
        .map(|d| d.dealing().verify(&session).map_err(|(e, _)| e))
        .collect::<Result<Vec<_>, _>>()?;
    let gpk = GroupPublicKey::from_dealings(&session, &dealings)?;
    let mut keys = Vec::with_capacity(usize::from(n));
    for i in 1..=n {
        let shares = dealers
            .iter()
            .zip(&dealings)
            .map(|(d, vd)| d.share_for(i)?.verify(vd).map_err(|(e, _)| e))
            .collect::<Result<Vec<_>, _>>()?;
        keys.push(AuthoritySecretKey::from_dkg(&gpk, i, &shares)?);
    }
    Ok((gpk, keys))
}
