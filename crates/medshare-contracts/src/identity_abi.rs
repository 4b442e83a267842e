//! `medshare-identity` values as `IdentityRegistry` ABI structs: the EVM views of the crate
//! (64-byte G1 `x || y`, 128-byte G2 in EIP-197 order, 32-byte scalars) as typed arguments.

use alloy::primitives::{Address, B256, U256};
use medshare_identity::{GroupPublicKey, Token, TokenContext, TracingTag, VerifiedTraceShare};

use crate::{IIdentityRegistry, IdentityBn254};

/// A G1 point from its 64-byte EVM view.
pub fn g1(bytes: &[u8; 64]) -> IdentityBn254::G1Point {
    IdentityBn254::G1Point {
        x: U256::from_be_slice(&bytes[..32]),
        y: U256::from_be_slice(&bytes[32..]),
    }
}

/// A G2 point from its 128-byte EIP-197 view.
pub fn g2(bytes: &[u8; 128]) -> IdentityBn254::G2Point {
    let word = |i: usize| U256::from_be_slice(&bytes[32 * i..32 * (i + 1)]);
    IdentityBn254::G2Point {
        x: [word(0), word(1)],
        y: [word(2), word(3)],
    }
}

/// The 64-byte EVM view of a G1 point.
pub fn g1_bytes(point: &IdentityBn254::G1Point) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&point.x.to_be_bytes::<32>());
    out[32..].copy_from_slice(&point.y.to_be_bytes::<32>());
    out
}

/// The `KeySet` of `gpk`, authority `i` acting from `accounts[i - 1]`; `None` if `accounts`
/// does not name every authority.
pub fn key_set(gpk: &GroupPublicKey, accounts: &[Address]) -> Option<IIdentityRegistry::KeySet> {
    let [x, ym, ye, tracing] = gpk.to_evm_points().map(|p| g1(&p));
    let authorities = gpk
        .authorities()
        .map(|vk| {
            let [x, ym, ye, tracing] = vk.to_evm_points().map(|p| g1(&p));
            let account = *accounts.get(usize::from(vk.index()).checked_sub(1)?)?;
            Some(IIdentityRegistry::AuthorityKey {
                index: vk.index(),
                account,
                x,
                ym,
                ye,
                tracing,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let threshold = u8::try_from(gpk.params().threshold()).ok()?;
    Some(IIdentityRegistry::KeySet {
        threshold,
        x,
        ym,
        ye,
        tracing,
        authorities,
    })
}

/// `keccak256(abi.encode(keySet))`, the id `IdentityRegistry.proposeKeySet` gives a key set:
/// the call's argument encoding without the selector.
pub fn key_set_hash(key_set: &IIdentityRegistry::KeySet) -> alloy::primitives::B256 {
    use alloy::sol_types::SolCall;
    let call = crate::IdentityRegistry::proposeKeySetCall {
        keySet_: key_set.clone(),
    };
    alloy::primitives::keccak256(&call.abi_encode()[4..])
}

/// The `TokenContext` of `ctx` (the registry takes `ctx.registry` from its own address).
pub fn token_context(ctx: &TokenContext) -> IIdentityRegistry::TokenContext {
    IIdentityRegistry::TokenContext {
        chainId: U256::from(ctx.chain_id),
        verifyingContract: Address::from(ctx.verifying_contract),
        action: B256::from(ctx.action),
        sender: Address::from(ctx.sender),
        nonce: B256::from(ctx.nonce),
        scope: B256::from(ctx.scope.map_or([0; 32], |s| s.to_bytes())),
    }
}

/// The `Token` of `token` (its EVM view does not depend on `gpk` and `ctx`, which only fill
/// the recomputed transcript of the view).
pub fn token(token: &Token, gpk: &GroupPublicKey, ctx: &TokenContext) -> IIdentityRegistry::Token {
    let v = token.evm_inputs(gpk, ctx);
    IIdentityRegistry::Token {
        epoch: token.epoch(),
        kappa: g1(&v.kappa),
        h: g2(&v.h),
        nu: g2(&v.nu),
        c1: g1(&v.c1),
        c2: g1(&v.c2),
        nullifierPoint: g1(&v.nullifier_point.unwrap_or([0; 64])),
        c: U256::from_be_bytes(v.c),
        zm: U256::from_be_bytes(v.z_m),
        zr: U256::from_be_bytes(v.z_r),
        zk: U256::from_be_bytes(v.z_k),
    }
}

/// The `TraceShare` of a verified share; `None` if `tag` is not the tag it was made for.
pub fn trace_share(
    share: &VerifiedTraceShare,
    gpk: &GroupPublicKey,
    tag: &TracingTag,
) -> Option<IIdentityRegistry::TraceShare> {
    let v = share.unverify().evm_inputs(gpk, tag)?;
    Some(IIdentityRegistry::TraceShare {
        index: share.index(),
        d: g1(&v.d),
        c: U256::from_be_bytes(v.c),
        z: U256::from_be_bytes(v.z),
    })
}
