//! The contract suite as deployed on one network: what a party needs to join it.

use alloy::{
    primitives::{Address, Bytes, U256},
    signers::local::PrivateKeySigner,
};
use medshare_contracts::{Consortium, Contract, IdentityRegistry, PreVerifier, deploy_code};
use serde::{Deserialize, Serialize};

use crate::{Error, Network, Result, ShortText};

/// Where the medshare contracts live on a network: the chain id, the block of the first
/// deployment (event queries start there) and the addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deployment {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Block of the first contract's deployment: nothing earlier concerns medshare.
    pub block: u64,
    /// The contracts.
    pub contracts: Contracts,
}

/// The addresses of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contracts {
    /// `Consortium`.
    pub consortium: Address,
    /// `IdentityRegistry`.
    pub identity_registry: Address,
    /// `PreVerifier`; absent from deployments made before medshare deployed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_verifier: Option<Address>,
}

impl Contracts {
    /// Each contract with its address, in deployment order.
    pub fn each(&self) -> impl Iterator<Item = (Contract, Address)> {
        [
            (Contract::Consortium, Some(self.consortium)),
            (Contract::IdentityRegistry, Some(self.identity_registry)),
            (Contract::PreVerifier, self.pre_verifier),
        ]
        .into_iter()
        .filter_map(|(contract, address)| Some((contract, address?)))
    }
}

/// What the constructors are given: fixed for the life of a deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuiteSettings {
    /// The first admins of the consortium with their institution names (at least one).
    pub admins: Vec<(Address, ShortText)>,
    /// Admin approvals a consortium proposal needs.
    pub threshold: u64,
    /// `IdentityRegistry.minEpochDuration`, in seconds.
    pub epoch_duration: u64,
    /// `IdentityRegistry.minThreshold`: the smallest `t` of a key set.
    pub min_threshold: u8,
    /// `IdentityRegistry.minAuthorities`: the smallest `n` of a key set.
    pub min_authorities: u8,
}

impl Deployment {
    /// Deploys the suite from `deployer` in dependency order: `Consortium`, then
    /// `IdentityRegistry` (which names it), then `PreVerifier` (stateless). Each contract's
    /// runtime code is checked against its committed artifact once deployed.
    pub async fn deploy(
        network: &Network,
        deployer: &PrivateKeySigner,
        settings: &SuiteSettings,
    ) -> Result<Self> {
        let (admins, names) = settings
            .admins
            .iter()
            .map(|(account, name)| (*account, name.to_b256()))
            .unzip();
        let (consortium, block) = create(
            network,
            deployer,
            Contract::Consortium,
            deploy_code(
                &Consortium::BYTECODE,
                &Consortium::constructorCall {
                    initialAdmins: admins,
                    names,
                    initialThreshold: U256::from(settings.threshold),
                },
            ),
        )
        .await?;
        let (identity_registry, _) = create(
            network,
            deployer,
            Contract::IdentityRegistry,
            deploy_code(
                &IdentityRegistry::BYTECODE,
                &IdentityRegistry::constructorCall {
                    consortium_: consortium,
                    minEpochDuration_: settings.epoch_duration,
                    minThreshold_: settings.min_threshold,
                    minAuthorities_: settings.min_authorities,
                },
            ),
        )
        .await?;
        let (pre_verifier, _) = create(
            network,
            deployer,
            Contract::PreVerifier,
            PreVerifier::BYTECODE.clone(),
        )
        .await?;
        Ok(Self {
            chain_id: network.chain_id(),
            block,
            contracts: Contracts {
                consortium,
                identity_registry,
                pre_verifier: Some(pre_verifier),
            },
        })
    }

    /// Fails unless `network` is this deployment's chain and every address holds the committed
    /// runtime code of its contract.
    pub async fn verify(&self, network: &Network) -> Result<()> {
        if network.chain_id() != self.chain_id {
            return Err(Error::WrongChain {
                expected: self.chain_id,
                found: network.chain_id(),
            });
        }
        for (contract, address) in self.contracts.each() {
            network.check_code(contract, address).await?;
        }
        Ok(())
    }
}

/// Deploys `code` as `contract`; returns its address and block.
async fn create(
    network: &Network,
    deployer: &PrivateKeySigner,
    contract: Contract,
    code: Bytes,
) -> Result<(Address, u64)> {
    let receipt = network.deploy(deployer, code).await?;
    let address = receipt.contract_address.ok_or_else(|| {
        Error::unexpected(format!(
            "the deployment of {} created no contract",
            contract.name()
        ))
    })?;
    network.check_code(contract, address).await?;
    Ok((address, receipt.block_number.unwrap_or_default()))
}
