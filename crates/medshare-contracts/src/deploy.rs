use alloy::{primitives::Bytes, sol_types::SolConstructor};

/// Creation code followed by the ABI-encoded constructor arguments: the `data` of a deployment
/// transaction.
pub fn deploy_code(bytecode: &[u8], constructor: &impl SolConstructor) -> Bytes {
    let mut code = bytecode.to_vec();
    code.extend_from_slice(&constructor.abi_encode());
    code.into()
}
