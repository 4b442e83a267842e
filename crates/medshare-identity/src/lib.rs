//! # medshare-identity
//!
//! Threshold-issued, blind, unlinkable and **traceable** identity tokens for a permissioned EVM
//! chain: Coconut (Sonnino et al., NDSS 2019) on Pointcheval-Sanders signatures over BN254,
//! with the groups swapped (signatures in G2, keys in G1) so that a contract verifies a token
//! with G1 precompiles (ecAdd, ecMul), one 2-pair ecPairing and keccak256. The full
//! specification, name for name with this code, is `docs/identity.md`.
//!
//! * **Keys** by a dealer-free Pedersen DKG ([`Dealer`], [`Dealing`], [`DkgShare`]): `n`
//!   authorities hold shares of the issuing key `(x, y_m, y_e)` and the tracing key `τ`.
//! * **Registration**: a user proves knowledge of `m` in `M = m·H1` bound to its real
//!   identity `RID` ([`Registration`]); authorities keep `RID ↔ M` off chain.
//! * **Blind issuance** by any `t` authorities, per epoch ([`IssuanceRequest`],
//!   [`BlindSignature`], [`Credential`]).
//! * **Tokens**: unlinkable shows bound to a [`TokenContext`] (chain, registry, contract,
//!   action, sender, nonce) and the epoch, carrying an ElGamal encryption of `M` under the
//!   tracing key ([`Token`]). Nullifier `keccak256(κ)` (fresh per token), or in **scoped**
//!   mode ([`Scope`]) `keccak256(m·P_scope)`: one per user and scope, unlinkable across scopes.
//! * **Tracing** by any `t` authorities with publicly verifiable DLEQ shares
//!   ([`TraceShare`], [`trace`]).
//! * **EVM views** for the Solidity verifier ([`Token::evm_inputs`],
//!   [`TraceShare::evm_inputs`]).
//!
//! ```
//! use medshare_identity::{
//!     RegistrationContext, Scope, ThresholdParams, TokenContext, UserSecret, run_dkg_with_rng,
//!     trace,
//! };
//! # use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
//! # let mut rng = ChaCha20Rng::seed_from_u64(0);
//!
//! // Five authorities run the DKG; any three issue or trace.
//! let (gpk, authorities) =
//!     run_dkg_with_rng(&mut rng, ThresholdParams::new(3, 5).unwrap()).unwrap();
//!
//! // A doctor registers: M = m·H1 with a proof bound to her real identity.
//! let doctor = UserSecret::random_with_rng(&mut rng);
//! let reg_ctx = RegistrationContext { chain_id: 1337, registry: [0x11; 20], rid_digest: [0x22; 32] };
//! let registered = doctor.register_with_rng(&mut rng, &reg_ctx).verify(&reg_ctx).unwrap();
//! let table = vec![(reg_ctx.rid_digest, registered.identity())]; // the authorities' RID ↔ M
//!
//! // Blind issuance for epoch 7 by authorities 2, 4 and 5 (t = 3 of n = 5).
//! let epoch = 7;
//! let (request, pending) = doctor.request_credential_with_rng(&mut rng, epoch);
//! let partials: Vec<_> = [1usize, 3, 4]
//!     .iter()
//!     .map(|&i| {
//!         let ask = &authorities[i];
//!         let ok = request.verify(epoch, &table[0].1).unwrap(); // + "not revoked" check
//!         let blind = ask.blind_sign(&ok);
//!         pending.unblind(&gpk.authority(ask.index()).unwrap(), &blind).unwrap()
//!     })
//!     .collect();
//! let credential = pending.finish(&gpk, &partials).unwrap();
//!
//! // Show: a token bound to (chain, registry, contract, action, sender, nonce) and the epoch.
//! let ctx = TokenContext {
//!     chain_id: 1337,
//!     registry: [0x11; 20],
//!     verifying_contract: [0x33; 20],
//!     action: TokenContext::action_id("medshare.access.request"),
//!     sender: [0x44; 20],
//!     nonce: [0x55; 32],
//!     scope: None,
//! };
//! let token = credential.show_with_rng(&mut rng, &gpk, &ctx).unwrap();
//! let bytes = token.to_bytes();
//!
//! // Scoped: "one request per user and record". Two tokens of one user in one scope share
//! // their nullifier (the contract refuses the second); other scopes give unrelated ones.
//! let record = TokenContext { scope: Scope::new([0x66; 32]), ..ctx };
//! let first = credential.show_with_rng(&mut rng, &gpk, &record).unwrap();
//! let again = credential.show_with_rng(&mut rng, &gpk, &record).unwrap();
//! assert_eq!(first.nullifier(), again.nullifier());
//! let other = TokenContext { scope: Scope::new([0x77; 32]), ..ctx };
//! assert_ne!(first.nullifier(), credential.show_with_rng(&mut rng, &gpk, &other).unwrap().nullifier());
//! assert!(first.verify(&gpk, &record, epoch).is_ok());
//!
//! // Anyone (or the contract, from `token.evm_inputs(..)`) verifies it.
//! let verified = medshare_identity::Token::from_bytes(&bytes)
//!     .unwrap()
//!     .verify(&gpk, &ctx, epoch)
//!     .unwrap();
//!
//! // Misbehaviour: three authorities post verifiable decryption shares.
//! let tag = verified.tracing_tag();
//! let shares: Vec<_> = authorities[..3]
//!     .iter()
//!     .map(|a| {
//!         let posted = a.trace_share_with_rng(&mut rng, &tag).to_bytes(); // on chain
//!         medshare_identity::TraceShare::from_bytes(&posted).unwrap().verify(&gpk, &tag).unwrap()
//!     })
//!     .collect();
//! let m = trace(&gpk, &tag, &shares).unwrap();
//! assert_eq!(m, table[0].1); // → RID
//! ```
//!
//! ## Features
//!
//! * `default-rng` (default): `random()` / [`Credential::show`] using the OS RNG.
//!
//! The crate needs `std` (fixed-base tables and the `H1` cache live in `OnceLock`s).

#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod curve;
mod dkg;
mod encoding;
mod evm;
mod hashing_ds;
mod issuance;
mod keys;
mod token;
mod trace;
mod user;

#[cfg(test)]
mod tests;

pub use {
    dkg::{
        Dealer, Dealing, DkgError, DkgSession, DkgShare, VerifiedDealing, VerifiedDkgShare,
        run_dkg_with_rng,
    },
    encoding::DecodeError,
    evm::{
        TokenEvmInputs, TraceCombineEvmInputs, TraceShareEvmInputs, generator_g1_evm,
        generator_g2_evm, generator_h1_evm, neg_generator_g1_evm, trace_combine_evm_inputs,
    },
    issuance::{
        AggregateError, BlindSignature, Credential, IssuanceRequest, IssuanceRequestError,
        PartialCredential, PendingCredential, UnblindError, VerifiedIssuanceRequest,
    },
    keys::{
        AuthoritySecretKey, AuthorityVerificationKey, GroupPublicKey, MAX_AUTHORITIES,
        ThresholdError, ThresholdParams,
    },
    token::{
        Scope, Token, TokenContext, TokenVerificationError, TracingTag, UnhashableScope,
        VerifiedToken,
    },
    trace::{TraceError, TraceShare, TraceShareError, VerifiedTraceShare, trace},
    user::{
        IdentityPoint, Registration, RegistrationContext, RegistrationError, UserSecret,
        VerifiedRegistration,
    },
};
