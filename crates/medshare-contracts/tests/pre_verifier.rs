//! Tests of `PreVerifier.sol` (and through it of the `PreVerification` and `Bn254` libraries) on
//! the embedded revm chain:
//!
//! * every capsule and capsule fragment of the known-answer vectors
//!   (`crates/medshare-pre/tests/vectors/pre_v2.json`) is accepted, and the contract's
//!   Fiat-Shamir challenges equal the vectors' (`proof_challenge`, `signature_challenge`);
//! * the vectors' forgeries (delegations minted by a requester and `t` proxies who rebuilt the
//!   label key) are rejected under the label's delegation verifying key;
//! * malformed inputs revert with the named `Bn254` error and its values (coordinates `>= p`,
//!   points off the curve, the identity, scalars `>= r`), well-formed wrong inputs return false
//!   (negated or substituted points, flipped scalars and ids, other keys, swapped fragments,
//!   the label key in place of the verifying key, a degenerate capsule);
//! * on fresh random cases made with `medshare-pre`, the contract agrees with Rust's
//!   `Capsule::from_bytes` and `CapsuleFrag::verify` on valid and corrupted inputs;
//! * one fragment costs less than 50,000 gas of execution.
#![allow(clippy::unwrap_used)]

use alloy::{
    primitives::{Address, B256, U256, keccak256, uint},
    sol_types::{SolCall, SolInterface},
};
use medshare_contracts::{
    Bn254::G1Point,
    IPreVerifier::{Capsule, CapsuleFrag, KeyFragSignature},
    PreVerifier::{self, PreVerifierErrors},
    pre_abi,
};
use medshare_evm::{CallRequest, TestChain};
use medshare_pre::{
    Capsule as RustCapsule, CapsuleFrag as RustCapsuleFrag, CapsuleFragEvmInputs, DecodeError,
    MasterSecret, SecretKey, generate_kfrags_with_rng, reencrypt_with_rng,
};
use rand_chacha::{
    ChaCha20Rng,
    rand_core::{RngCore, SeedableRng},
};
use serde_json::Value;

/// The BN254 base field modulus `p`.
const P: U256 =
    uint!(21888242871839275222246405745257275088696311157297823662689037894645226208583_U256);
/// The BN254 group order `r`.
const R: U256 =
    uint!(21888242871839275222246405745257275088548364400416034343698204186575808495617_U256);
/// The per-fragment budget of issue #3, in execution gas.
const FRAGMENT_GAS_BUDGET: u64 = 50_000;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../medshare-pre/tests/vectors/pre_v2.json"
);

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

/// A deployed `PreVerifier` on its own chain.
struct Verifier {
    chain: TestChain,
    address: Address,
}

/// What a verification returned: `Ok(accepted)`, or the custom error it reverted with.
type Outcome = Result<bool, PreVerifierErrors>;

impl Verifier {
    fn new() -> Self {
        let mut chain = TestChain::new().unwrap();
        let receipt = chain
            .deploy_as(Address::repeat_byte(0xde), PreVerifier::BYTECODE.clone())
            .unwrap();
        assert!(receipt.status, "deployment failed: {receipt:?}");
        Self {
            chain,
            address: receipt.contract_address.unwrap(),
        }
    }

    /// `eth_call`s `call`; a revert must carry a `PreVerifier` error (panics otherwise).
    /// Also returns the execution gas: gas used minus the intrinsic 21,000 and calldata gas.
    fn call<C: SolCall>(&self, call: &C) -> (Result<C::Return, PreVerifierErrors>, u64) {
        let data = call.abi_encode();
        let calldata_gas: u64 = data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum();
        let outcome = self
            .chain
            .call(&CallRequest::new(Address::ZERO, self.address, data))
            .unwrap();
        let execution_gas = outcome.gas_used - 21_000 - calldata_gas;
        let result = if outcome.success {
            Ok(C::abi_decode_returns(&outcome.output).unwrap())
        } else {
            Err(
                PreVerifierErrors::abi_decode(&outcome.output).unwrap_or_else(|e| {
                    panic!("revert data {} is not a known error: {e}", outcome.output)
                }),
            )
        };
        (result, execution_gas)
    }

    fn verify_capsule(&self, capsule: &Capsule) -> Outcome {
        self.call(&PreVerifier::verifyCapsuleCall {
            capsule: capsule.clone(),
        })
        .0
    }

    fn verify_cfrag(&self, input: &Input) -> Outcome {
        self.call(&input.verify_call()).0
    }
}

/// The arguments of `verifyCapsuleFrag`.
#[derive(Clone, Debug)]
struct Input {
    capsule: Capsule,
    pk_a: G1Point,
    vk: G1Point,
    pk_b: G1Point,
    cfrag: CapsuleFrag,
}

/// How many point arguments `verifyCapsuleFrag` takes.
const POINTS: usize = 11;

impl Input {
    fn verify_call(&self) -> PreVerifier::verifyCapsuleFragCall {
        PreVerifier::verifyCapsuleFragCall {
            capsule: self.capsule.clone(),
            delegatingPk: self.pk_a.clone(),
            verifyingKey: self.vk.clone(),
            receivingPk: self.pk_b.clone(),
            cfrag: self.cfrag.clone(),
        }
    }

    /// Every point argument, by name.
    fn points_mut(&mut self) -> [(&'static str, &mut G1Point); POINTS] {
        let Self {
            capsule,
            pk_a,
            vk,
            pk_b,
            cfrag,
        } = self;
        [
            ("capsule.e", &mut capsule.e),
            ("capsule.v", &mut capsule.v),
            ("delegatingPk", pk_a),
            ("verifyingKey", vk),
            ("receivingPk", pk_b),
            ("cfrag.w1", &mut cfrag.w1),
            ("cfrag.precursor", &mut cfrag.precursor),
            ("cfrag.commitment", &mut cfrag.commitment),
            ("cfrag.w2", &mut cfrag.w2),
            ("cfrag.u2", &mut cfrag.u2),
            ("cfrag.signature.r", &mut cfrag.signature.r),
        ]
    }

    /// Point argument `i` of [`Self::points_mut`], by name.
    fn point(&self, i: usize) -> (&'static str, G1Point) {
        let mut copy = self.clone();
        let (name, p) = copy.points_mut().into_iter().nth(i).unwrap();
        (name, p.clone())
    }

    /// Scalar argument `i` of [`Self::scalars_mut`], by name.
    fn scalar(&self, i: usize) -> (&'static str, U256) {
        let mut copy = self.clone();
        let (name, s) = copy.scalars_mut().into_iter().nth(i).unwrap();
        (name, *s)
    }

    /// Every scalar argument, by name.
    fn scalars_mut(&mut self) -> [(&'static str, &mut U256); 3] {
        [
            ("capsule.s", &mut self.capsule.s),
            ("cfrag.z", &mut self.cfrag.z),
            ("cfrag.signature.z", &mut self.cfrag.signature.z),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// Known-answer vectors
// ---------------------------------------------------------------------------------------------

/// One case of the vector file, as EVM words.
struct VectorCase {
    capsule: Capsule,
    pk_a: G1Point,
    vk: G1Point,
    pk_b: G1Point,
    cfrags: Vec<VectorCfrag>,
    forgeries: Vec<Forgery>,
}

/// A fragment minted by a coalition that rebuilt the label key (see `forgeries` in the vectors).
struct Forgery {
    signed_with: String,
    mallory: G1Point,
    cfrag: CapsuleFrag,
    /// The same forging claiming the signer's own key.
    own_key: G1Point,
    own_key_cfrag: CapsuleFrag,
}

struct VectorCfrag {
    cfrag: CapsuleFrag,
    proof_transcript: Vec<u8>,
    proof_challenge: U256,
    signature_transcript: Vec<u8>,
    signature_challenge: U256,
}

impl VectorCase {
    fn input(&self, i: usize) -> Input {
        Input {
            capsule: self.capsule.clone(),
            pk_a: self.pk_a.clone(),
            vk: self.vk.clone(),
            pk_b: self.pk_b.clone(),
            cfrag: self.cfrags[i].cfrag.clone(),
        }
    }

    fn inputs(&self) -> impl Iterator<Item = Input> + '_ {
        (0..self.cfrags.len()).map(|i| self.input(i))
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing field {key}"))
}

fn word(v: &Value, key: &str) -> U256 {
    text(v, key).parse().unwrap()
}

fn point(v: &Value) -> G1Point {
    G1Point {
        x: word(v, "x"),
        y: word(v, "y"),
    }
}

fn hex_bytes(v: &Value, key: &str) -> Vec<u8> {
    alloy::primitives::hex::decode(text(v, key)).unwrap()
}

fn vector_cfrag(f: &Value) -> CapsuleFrag {
    CapsuleFrag {
        w1: point(&f["w1"]),
        kfragId: text(f, "kfrag_id").parse().unwrap(),
        precursor: point(&f["precursor"]),
        commitment: point(&f["commitment"]),
        w2: point(&f["w2"]),
        u2: point(&f["u2"]),
        z: word(f, "z"),
        signature: KeyFragSignature {
            r: point(&f["signature_r"]),
            z: word(f, "signature_z"),
        },
    }
}

fn load_vectors() -> (Value, Vec<VectorCase>) {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap();
    let cases = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| VectorCase {
            capsule: Capsule {
                e: point(&c["capsule"]["e"]),
                v: point(&c["capsule"]["v"]),
                s: word(&c["capsule"], "s"),
            },
            pk_a: point(&c["delegating_pk"]["evm"]),
            vk: point(&c["delegation_verifying_key"]["evm"]),
            pk_b: point(&c["receiving_pk"]["evm"]),
            forgeries: c["forgeries"]["cfrags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| Forgery {
                    signed_with: text(f, "signed_with").to_string(),
                    mallory: point(&c["forgeries"]["receiving_pk"]["evm"]),
                    cfrag: vector_cfrag(f),
                    own_key: point(&f["own_key"]["verifying_key"]["evm"]),
                    own_key_cfrag: vector_cfrag(&f["own_key"]["cfrag"]),
                })
                .collect(),
            cfrags: c["cfrags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| VectorCfrag {
                    cfrag: vector_cfrag(f),
                    proof_transcript: hex_bytes(f, "proof_transcript"),
                    proof_challenge: word(f, "proof_challenge"),
                    signature_transcript: hex_bytes(f, "signature_transcript"),
                    signature_challenge: word(f, "signature_challenge"),
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    assert!(cases.len() >= 2, "the tests below swap data between cases");
    (file, cases)
}

fn vectors() -> Vec<VectorCase> {
    load_vectors().1
}

/// `keccak256(data) mod r`, the challenge of `docs/pre.md` §3.
fn challenge(data: &[u8]) -> U256 {
    U256::from_be_bytes(keccak256(data).0) % R
}

fn be(value: &U256) -> [u8; 32] {
    value.to_be_bytes()
}

fn neg(p: &G1Point) -> G1Point {
    G1Point { x: p.x, y: P - p.y }
}

fn invalid_point(x: U256, y: U256) -> PreVerifierErrors {
    PreVerifierErrors::Bn254InvalidPoint(PreVerifier::Bn254InvalidPoint { x, y })
}

fn identity_point() -> PreVerifierErrors {
    PreVerifierErrors::Bn254IdentityPoint(PreVerifier::Bn254IdentityPoint {})
}

fn scalar_out_of_range(scalar: U256) -> PreVerifierErrors {
    PreVerifierErrors::Bn254ScalarOutOfRange(PreVerifier::Bn254ScalarOutOfRange { scalar })
}

#[test]
fn vectors_verify() {
    let verifier = Verifier::new();
    let mut fragments = 0;
    for case in vectors() {
        assert_eq!(verifier.verify_capsule(&case.capsule), Ok(true));
        for input in case.inputs() {
            assert_eq!(verifier.verify_cfrag(&input), Ok(true), "{input:?}");
            fragments += 1;
        }
    }
    assert_eq!(fragments, 8);
}

#[test]
fn challenges_equal_the_vectors() {
    let verifier = Verifier::new();
    let (file, cases) = load_vectors();
    let g = point(&file["generators"]["G"]);
    let tag = hex_bytes(&file["domain_tags"]["capsule_check"], "keccak256");
    for case in &cases {
        // §6.1, rebuilt here: tag || G || E || V (the vectors record no capsule transcript).
        let capsule_transcript = [
            tag.as_slice(),
            &be(&g.x),
            &be(&g.y),
            &be(&case.capsule.e.x),
            &be(&case.capsule.e.y),
            &be(&case.capsule.v.x),
            &be(&case.capsule.v.y),
        ]
        .concat();
        let (h, _) = verifier.call(&PreVerifier::capsuleChallengeCall {
            capsule: case.capsule.clone(),
        });
        assert_eq!(h, Ok(challenge(&capsule_transcript)));

        for (input, f) in case.inputs().zip(&case.cfrags) {
            assert_eq!(f.signature_transcript.len(), 512);
            assert_eq!(f.proof_transcript.len(), 800);
            assert_eq!(f.signature_challenge, challenge(&f.signature_transcript));
            assert_eq!(f.proof_challenge, challenge(&f.proof_transcript));

            let (c, _) = verifier.call(&PreVerifier::signatureChallengeCall {
                delegatingPk: input.pk_a.clone(),
                verifyingKey: input.vk.clone(),
                receivingPk: input.pk_b.clone(),
                cfrag: input.cfrag.clone(),
            });
            assert_eq!(c, Ok(f.signature_challenge));
            let (h, _) = verifier.call(&PreVerifier::proofChallengeCall {
                capsule: input.capsule.clone(),
                delegatingPk: input.pk_a.clone(),
                receivingPk: input.pk_b.clone(),
                cfrag: input.cfrag.clone(),
            });
            assert_eq!(h, Ok(f.proof_challenge));
        }
    }
}

#[test]
fn challenges_bind_every_transcript_field() {
    let verifier = Verifier::new();
    let case = &vectors()[0];
    let original = case.input(0);
    let challenges = |input: &Input| {
        let (c, _) = verifier.call(&PreVerifier::signatureChallengeCall {
            delegatingPk: input.pk_a.clone(),
            verifyingKey: input.vk.clone(),
            receivingPk: input.pk_b.clone(),
            cfrag: input.cfrag.clone(),
        });
        let (h, _) = verifier.call(&PreVerifier::proofChallengeCall {
            capsule: input.capsule.clone(),
            delegatingPk: input.pk_a.clone(),
            receivingPk: input.pk_b.clone(),
            cfrag: input.cfrag.clone(),
        });
        (c.unwrap(), h.unwrap())
    };
    let (c0, h0) = challenges(&original);
    // Which challenges each point must change: (signature, proof).
    let binds = [
        (false, true), // capsule.e
        (false, true), // capsule.v
        (true, true),  // delegatingPk
        (true, false), // verifyingKey
        (true, true),  // receivingPk
        (false, true), // w1
        (true, true),  // precursor
        (true, true),  // commitment
        (false, true), // w2
        (false, true), // u2
        (true, false), // signature.r
    ];
    for (i, &(in_signature, in_proof)) in binds.iter().enumerate() {
        for coordinate in 0..2 {
            let mut input = original.clone();
            let (name, p) = input.points_mut().into_iter().nth(i).unwrap();
            if coordinate == 0 {
                p.x ^= U256::from(1);
            } else {
                p.y ^= U256::from(1);
            }
            let (c, h) = challenges(&input);
            assert_eq!(c != c0, in_signature, "{name}[{coordinate}] vs signature");
            assert_eq!(h != h0, in_proof, "{name}[{coordinate}] vs proof");
        }
    }
    let mut input = original.clone();
    input.cfrag.kfragId.0[31] ^= 1;
    let (c, h) = challenges(&input);
    assert!(c != c0 && h != h0, "kfragId");
    let mut input = original.clone();
    input.capsule.s ^= U256::from(1);
    let (c, h) = challenges(&input);
    assert!(c == c0 && h != h0, "capsule.s");
    // The responses are not hashed.
    let mut input = original;
    input.cfrag.z ^= U256::from(1);
    input.cfrag.signature.z ^= U256::from(1);
    assert_eq!(challenges(&input), (c0, h0));
}

// ---------------------------------------------------------------------------------------------
// Malformed inputs revert with a named error
// ---------------------------------------------------------------------------------------------

/// Ways to make a point malformed, with the error the contract must give.
fn malformations(p: &G1Point) -> Vec<(&'static str, G1Point, PreVerifierErrors)> {
    let one = U256::from(1);
    let off_x = G1Point {
        x: p.x ^ one,
        y: p.y,
    };
    let off_y = G1Point {
        x: p.x,
        y: p.y ^ one,
    };
    // The same point with a coordinate not reduced mod p.
    let big_x = G1Point { x: p.x + P, y: p.y };
    let big_y = G1Point { x: p.x, y: p.y + P };
    vec![
        ("x flipped", off_x.clone(), invalid_point(off_x.x, off_x.y)),
        ("y flipped", off_y.clone(), invalid_point(off_y.x, off_y.y)),
        ("x + p", big_x.clone(), invalid_point(big_x.x, big_x.y)),
        ("y + p", big_y.clone(), invalid_point(big_y.x, big_y.y)),
        ("x = p", G1Point { x: P, y: p.y }, invalid_point(P, p.y)),
        (
            "identity",
            G1Point {
                x: U256::ZERO,
                y: U256::ZERO,
            },
            identity_point(),
        ),
        (
            "(0, y)",
            G1Point {
                x: U256::ZERO,
                y: p.y,
            },
            invalid_point(U256::ZERO, p.y),
        ),
    ]
}

#[test]
fn malformed_points_revert() {
    let verifier = Verifier::new();
    for case in vectors() {
        let original = case.input(0);
        for i in 0..POINTS {
            let (name, p) = original.point(i);
            for (how, bad, expected) in malformations(&p) {
                let mut input = original.clone();
                *input.points_mut()[i].1 = bad;
                assert_eq!(
                    verifier.verify_cfrag(&input),
                    Err(expected.clone()),
                    "verifyCapsuleFrag, {name} {how}"
                );
                if i < 2 {
                    assert_eq!(
                        verifier.verify_capsule(&input.capsule),
                        Err(expected),
                        "verifyCapsule, {name} {how}"
                    );
                }
            }
        }
    }
}

#[test]
fn scalars_out_of_range_revert() {
    let verifier = Verifier::new();
    for case in vectors() {
        let original = case.input(case.cfrags.len() - 1);
        for i in 0..3 {
            let (name, s) = original.scalar(i);
            for bad in [R, s + R, U256::MAX] {
                let mut input = original.clone();
                *input.scalars_mut()[i].1 = bad;
                assert_eq!(
                    verifier.verify_cfrag(&input),
                    Err(scalar_out_of_range(bad)),
                    "verifyCapsuleFrag, {name} = {bad}"
                );
                if i == 0 {
                    assert_eq!(
                        verifier.verify_capsule(&input.capsule),
                        Err(scalar_out_of_range(bad)),
                        "verifyCapsule, {name} = {bad}"
                    );
                }
            }
            // r - 1 is in range: the call does not revert (and the proof fails).
            let mut input = original.clone();
            *input.scalars_mut()[i].1 = R - U256::from(1);
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "{name} = r - 1");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Well-formed but wrong inputs return false
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_points_return_false() {
    let verifier = Verifier::new();
    let generator = G1Point {
        x: U256::from(1),
        y: U256::from(2),
    };
    for case in vectors() {
        for original in case.inputs() {
            for i in 0..POINTS {
                let (name, p) = original.point(i);
                // Valid curve points, but not the right ones.
                for (how, bad) in [("negated", neg(&p)), ("replaced by G", generator.clone())] {
                    let mut input = original.clone();
                    *input.points_mut()[i].1 = bad;
                    assert_eq!(
                        verifier.verify_cfrag(&input),
                        Ok(false),
                        "verifyCapsuleFrag, {name} {how}"
                    );
                    if i < 2 {
                        assert_eq!(
                            verifier.verify_capsule(&input.capsule),
                            Ok(false),
                            "verifyCapsule, {name} {how}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn flipped_scalars_and_ids_return_false() {
    let verifier = Verifier::new();
    for case in vectors() {
        for original in case.inputs() {
            for i in 0..3 {
                for bit in [0, 7, 200] {
                    let mut input = original.clone();
                    let (name, s) = input.scalars_mut().into_iter().nth(i).unwrap();
                    *s ^= U256::from(1) << bit;
                    assert!(*s < R);
                    assert_eq!(
                        verifier.verify_cfrag(&input),
                        Ok(false),
                        "verifyCapsuleFrag, {name} bit {bit}"
                    );
                    if i == 0 {
                        assert_eq!(
                            verifier.verify_capsule(&input.capsule),
                            Ok(false),
                            "verifyCapsule, {name} bit {bit}"
                        );
                    }
                }
            }
            for byte in [0, 17, 31] {
                let mut input = original.clone();
                input.cfrag.kfragId.0[byte] ^= 0x80;
                assert_eq!(verifier.verify_cfrag(&input), Ok(false), "kfragId[{byte}]");
            }
            let mut input = original.clone();
            input.cfrag.kfragId = B256::ZERO;
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "kfragId = 0");
        }
    }
}

#[test]
fn other_keys_return_false() {
    let verifier = Verifier::new();
    let cases = vectors();
    for (j, case) in cases.iter().enumerate() {
        let other = &cases[(j + 1) % cases.len()];
        for original in case.inputs() {
            let mut input = original.clone();
            input.pk_a = other.pk_a.clone();
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "other delegator");
            let mut input = original.clone();
            input.vk = other.vk.clone();
            assert_eq!(
                verifier.verify_cfrag(&input),
                Ok(false),
                "other verifying key"
            );
            let mut input = original.clone();
            input.vk = input.pk_a.clone();
            assert_eq!(
                verifier.verify_cfrag(&input),
                Ok(false),
                "label key as verifying key"
            );
            let mut input = original.clone();
            input.pk_b = other.pk_b.clone();
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "other requester");
            let mut input = original.clone();
            std::mem::swap(&mut input.pk_a, &mut input.pk_b);
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "keys swapped");
            let mut input = original.clone();
            input.capsule = other.capsule.clone();
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "other capsule");
        }
    }
}

#[test]
fn swapped_fragments_return_false() {
    let verifier = Verifier::new();
    let cases = vectors();
    for (j, case) in cases.iter().enumerate() {
        let other = &cases[(j + 1) % cases.len()];
        for (i, original) in case.inputs().enumerate() {
            // A genuine fragment of another case, under this case's capsule and keys.
            for theirs in &other.cfrags {
                let mut input = original.clone();
                input.cfrag = theirs.cfrag.clone();
                assert_eq!(
                    verifier.verify_cfrag(&input),
                    Ok(false),
                    "cfrag from another case"
                );
            }
            // Two fragments of the same delegation mixed: the signature of the next one, or
            // its re-encryption and proof with this one's signed share.
            let next = &case.cfrags[(i + 1) % case.cfrags.len()].cfrag;
            let mut input = original.clone();
            input.cfrag.signature = next.signature.clone();
            assert_eq!(
                verifier.verify_cfrag(&input),
                Ok(false),
                "signature of {i}+1"
            );
            let mut input = original.clone();
            input.cfrag.w1 = next.w1.clone();
            input.cfrag.w2 = next.w2.clone();
            input.cfrag.u2 = next.u2.clone();
            input.cfrag.z = next.z;
            assert_eq!(verifier.verify_cfrag(&input), Ok(false), "proof of {i}+1");
        }
    }
}

#[test]
fn degenerate_capsule_returns_false() {
    let verifier = Verifier::new();
    for case in vectors() {
        // E + V = O: both points are valid, the capsule is not (Rust rejects it on decoding).
        let mut capsule = case.capsule.clone();
        capsule.v = neg(&capsule.e);
        assert_eq!(verifier.verify_capsule(&capsule), Ok(false));
        let mut input = case.input(0);
        input.capsule = capsule;
        assert_eq!(verifier.verify_cfrag(&input), Ok(false));
    }
}

// ---------------------------------------------------------------------------------------------
// Agreement with the Rust implementation on fresh cases
// ---------------------------------------------------------------------------------------------

fn evm_input(e: &CapsuleFragEvmInputs) -> Input {
    let call = pre_abi::verify_capsule_frag_call(e);
    Input {
        capsule: call.capsule,
        pk_a: call.delegatingPk,
        vk: call.verifyingKey,
        pk_b: call.receivingPk,
        cfrag: call.cfrag,
    }
}

fn evm_capsule(capsule: &RustCapsule) -> Capsule {
    pre_abi::capsule(capsule)
}

/// Offsets of the 32-byte fields of a 289-byte `CapsuleFrag` encoding (`docs/pre.md` §5).
const CFRAG_POINTS: [usize; 6] = [1, 65, 97, 129, 161, 225]; // W1, X_A, U1, W2, U2, R
const CFRAG_ID: usize = 33;
const CFRAG_SCALARS: [usize; 2] = [193, 257]; // z, z_sig
/// Offsets of the fields of a 97-byte `Capsule` encoding: E, V, s.
const CAPSULE_POINTS: [usize; 2] = [1, 33];
const CAPSULE_S: usize = 65;

fn below(rng: &mut ChaCha20Rng, n: usize) -> usize {
    (rng.next_u32() as usize) % n
}

/// A corrupted copy of a fragment's wire bytes (still decodable in most cases) and what was done.
fn corrupt(rng: &mut ChaCha20Rng, bytes: &[u8], donor: &[u8]) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let what = match below(rng, 5) {
        0 => {
            let at = CFRAG_ID + below(rng, 32);
            out[at] ^= 1 << below(rng, 8);
            format!("id byte {at}")
        }
        1 => {
            let at = CFRAG_SCALARS[below(rng, 2)];
            out[at + 31 - below(rng, 31)] ^= 1 << below(rng, 8);
            format!("scalar at {at}")
        }
        2 => {
            // A point of the fragment moved to another point's slot.
            let (from, to) = (CFRAG_POINTS[below(rng, 6)], CFRAG_POINTS[below(rng, 6)]);
            let point = bytes[from..from + 32].to_vec();
            out[to..to + 32].copy_from_slice(&point);
            format!("point {from} copied to {to}")
        }
        3 => {
            // The same field taken from another fragment of the same delegation.
            let at = [CFRAG_POINTS.as_slice(), &CFRAG_SCALARS, &[CFRAG_ID]].concat()[below(rng, 9)];
            out[at..at + 32].copy_from_slice(&donor[at..at + 32]);
            format!("field {at} from another fragment")
        }
        _ => {
            // Any bit anywhere but the tag: often not a canonical encoding any more.
            let at = 1 + below(rng, bytes.len() - 1);
            out[at] ^= 1 << below(rng, 8);
            format!("bit of byte {at}")
        }
    };
    (out, what)
}

#[test]
fn contract_agrees_with_rust_on_random_cases() {
    const CASES: usize = 20;
    let verifier = Verifier::new();
    let mut rng = ChaCha20Rng::seed_from_u64(0x7072_652d_7665_7269); // "pre-veri"
    let (mut accepted, mut rejected) = (0, 0);
    for n in 0..CASES {
        let msk = MasterSecret::random_with_rng(&mut rng);
        let label = format!("record:{n}");
        let sk = msk.derive_label_key(label.as_bytes());
        let dsk = msk.derive_delegation_key(label.as_bytes());
        let pk_a = sk.public_key();
        let vk = dsk.verifying_key();
        let other_vk = msk.derive_delegation_key(b"another record").verifying_key();
        let bob = SecretKey::random_with_rng(&mut rng);
        let pk_b = bob.public_key();
        let carol_pk = SecretKey::random_with_rng(&mut rng).public_key();
        let (capsule, _key) = RustCapsule::new_with_rng(&mut rng, &pk_a);
        let (other_capsule, _key) = RustCapsule::new_with_rng(&mut rng, &pk_a);
        let shares = 1 + below(&mut rng, 4);
        let threshold = 1 + below(&mut rng, shares);
        let kfrags =
            generate_kfrags_with_rng(&mut rng, &sk, &dsk, &pk_b, threshold, shares).unwrap();
        let cfrags: Vec<RustCapsuleFrag> = kfrags
            .iter()
            .map(|k| reencrypt_with_rng(&mut rng, &capsule, k).unverify())
            .collect();

        // The capsule, genuine and corrupted.
        assert_eq!(
            verifier.verify_capsule(&evm_capsule(&capsule)),
            Ok(true),
            "case {n}"
        );
        for _ in 0..3 {
            let (mut bad, mut words) = (capsule.to_bytes(), evm_capsule(&capsule));
            let other = (other_capsule.to_bytes(), evm_capsule(&other_capsule));
            match below(&mut rng, 3) {
                0 => {
                    bad[CAPSULE_S + 31 - below(&mut rng, 32)] ^= 1 << below(&mut rng, 8);
                    words.s = U256::from_be_slice(&bad[CAPSULE_S..]);
                }
                1 => {
                    let at = CAPSULE_POINTS[0];
                    bad[at..at + 32].copy_from_slice(&other.0[at..at + 32]);
                    words.e = other.1.e;
                }
                _ => {
                    let at = CAPSULE_POINTS[1];
                    bad[at..at + 32].copy_from_slice(&other.0[at..at + 32]);
                    words.v = other.1.v;
                }
            }
            let evm = verifier.verify_capsule(&words);
            match RustCapsule::from_bytes(&bad) {
                Ok(_) => panic!("case {n}: a corrupted capsule decoded"),
                Err(DecodeError::InvalidCapsule) => assert_eq!(evm, Ok(false), "case {n}"),
                Err(DecodeError::NonCanonicalScalar) => {
                    assert_eq!(evm, Err(scalar_out_of_range(words.s)), "case {n}");
                }
                Err(e) => panic!("case {n}: unexpected decoding error {e:?}"),
            }
        }

        for (i, cfrag) in cfrags.iter().enumerate() {
            let donor = cfrags[(i + 1) % cfrags.len()].to_bytes();
            let mut trials = vec![(cfrag.to_bytes().to_vec(), "genuine".to_string())];
            for _ in 0..4 {
                trials.push(corrupt(&mut rng, &cfrag.to_bytes(), &donor));
            }
            for (bytes, what) in trials {
                let Ok(decoded) = RustCapsuleFrag::from_bytes(&bytes) else {
                    continue; // not an encoding: covered by the malformed-input tests
                };
                // The right statement, then another requester, delegator, verifying key
                // (of another label of the same owner) or capsule.
                for (cap, pk_a, vk, pk_b) in [
                    (&capsule, &pk_a, &vk, &pk_b),
                    (&capsule, &pk_a, &vk, &carol_pk),
                    (&capsule, &carol_pk, &vk, &pk_b),
                    (&capsule, &pk_a, &other_vk, &pk_b),
                    (&other_capsule, &pk_a, &vk, &pk_b),
                ] {
                    let rust = decoded.verify(cap, pk_a, vk, pk_b).is_ok();
                    let input = evm_input(&decoded.evm_inputs(cap, pk_a, vk, pk_b));
                    let evm = verifier.verify_cfrag(&input);
                    assert_eq!(evm, Ok(rust), "case {n}, cfrag {i}: {what}");
                    if rust {
                        accepted += 1;
                    } else {
                        rejected += 1;
                    }
                }
            }
        }
    }
    // Both outcomes were exercised many times.
    assert!(accepted >= CASES, "{accepted} accepted");
    assert!(rejected >= 5 * CASES, "{rejected} rejected");
}

// ---------------------------------------------------------------------------------------------
// Forged consent
// ---------------------------------------------------------------------------------------------

#[test]
fn colluders_cannot_forge_kfrags() {
    // The vectors' forgeries: Bob and t proxies rebuilt a_L, then minted a delegation of the
    // label to Mallory signed with each secret they hold (crates/medshare-pre/tests/common).
    let verifier = Verifier::new();
    let mut forgeries = 0;
    for case in vectors() {
        for f in &case.forgeries {
            let attack = Input {
                capsule: case.capsule.clone(),
                pk_a: case.pk_a.clone(),
                vk: case.vk.clone(),
                pk_b: f.mallory.clone(),
                cfrag: f.cfrag.clone(),
            };
            assert_eq!(
                verifier.verify_cfrag(&attack),
                Ok(false),
                "{}",
                f.signed_with
            );
            // Presented for Bob instead, or with the label key as the signer: still rejected.
            let mut for_bob = attack.clone();
            for_bob.pk_b = case.pk_b.clone();
            assert_eq!(
                verifier.verify_cfrag(&for_bob),
                Ok(false),
                "{}",
                f.signed_with
            );
            let mut label_key = attack.clone();
            label_key.vk = case.pk_a.clone();
            assert_eq!(
                verifier.verify_cfrag(&label_key),
                Ok(false),
                "{}",
                f.signed_with
            );
            // The forging itself is sound: claiming the key it signs with, it is accepted (so
            // the contract rejects the attack for the signing key alone), except the v1 rule
            // (signed with a_L, claiming pk_L as the verifying key), refused outright.
            let own = Input {
                vk: f.own_key.clone(),
                cfrag: f.own_key_cfrag.clone(),
                ..attack
            };
            let v1_rule = f.own_key == case.pk_a;
            assert_eq!(
                verifier.verify_cfrag(&own),
                Ok(!v1_rule),
                "{}",
                f.signed_with
            );
            forgeries += 1;
        }
    }
    assert_eq!(forgeries, 12);
}

// ---------------------------------------------------------------------------------------------
// Gas
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fragment_costs_less_than_50k_gas() {
    let verifier = Verifier::new();
    for case in vectors() {
        let (ok, capsule_gas) = verifier.call(&PreVerifier::verifyCapsuleCall {
            capsule: case.capsule.clone(),
        });
        assert_eq!(ok, Ok(true));
        // 2 ecMul + 2 ecAdd = 12,300 gas of precompiles.
        assert!((12_300..20_000).contains(&capsule_gas), "{capsule_gas}");
        for input in case.inputs() {
            let (ok, gas) = verifier.call(&input.verify_call());
            assert_eq!(ok, Ok(true));
            // 6 ecMul + 4 ecAdd = 36,600 gas of precompiles.
            assert!(
                (36_600..FRAGMENT_GAS_BUDGET).contains(&gas),
                "verifyCapsuleFrag used {gas} gas of execution"
            );
        }
    }
}
