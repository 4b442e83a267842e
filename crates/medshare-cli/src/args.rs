//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub(crate) use crate::datadir::Fees;

const EXAMPLES: &str = "\
Examples:
  medshare demo                                   run the end-to-end demo on a throwaway chain
  MEDSHARE_PASSWORD=... medshare init --name \"St Mary Hospital\"
  medshare chain status
  medshare account new city-lab
  medshare consortium propose add $(medshare -q account address city-lab) --roles research --name \"City Lab\"
  medshare consortium members
  medshare node --port 8545                       serve the chain over JSON-RPC (cast, wallets)
  medshare deploy --out deployments               record the deployment for other parties
  medshare --network local init --rpc-url http://127.0.0.1:8545 --addresses deployments/embedded/addresses.json
  medshare network add besu --rpc-url http://10.0.0.5:8545   then: --network besu on any command

Exit codes: 0 success, 2 a wrong command line or argument, 1 any other failure.";

/// Privacy-preserving medical record sharing on a permissioned EVM consortium chain.
///
/// Hospitals, research centres, authorities and re-encryption proxies form a consortium whose
/// membership is governed on chain by k-of-n admin approval. By default everything runs on an
/// embedded chain stored in the data directory, so no node needs to be running.
#[derive(Debug, Parser)]
#[command(name = "medshare", version, after_help = EXAMPLES)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Directory with the keystores, the configuration and the embedded chain
    /// [default: ~/.medshare]
    #[arg(long, global = true, env = "MEDSHARE_DATA_DIR", value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,

    /// Network profile to use: `embedded` (the chain in the data directory), `local` (a
    /// `medshare node` at 127.0.0.1:8545) or one added with `medshare network add`
    /// [default: the network `init` set up]
    #[arg(long, global = true, env = "MEDSHARE_NETWORK", value_name = "NAME")]
    pub(crate) network: Option<String>,

    /// Account (keystore name) that signs transactions [default: the account made by `init`]
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) from: Option<String>,

    /// Print results as JSON
    #[arg(long, global = true, conflicts_with = "quiet")]
    pub(crate) json: bool,

    /// Print only the essential value of a result (and errors)
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a data directory: an encrypted account keystore and a network profile
    ///
    /// On the embedded network (the default) it also creates the chain, in the data directory,
    /// and deploys the contracts with the new account as the consortium's only admin. With
    /// --network NAME --rpc-url URL it joins a chain reached over JSON-RPC: --addresses FILE
    /// names an existing deployment (as `medshare deploy` writes it), which is verified on the
    /// chain; without it, run `medshare deploy` next.
    ///
    /// Example: medshare init --network besu --rpc-url http://10.0.0.5:8545 --addresses deployments/besu/addresses.json
    Init(InitArgs),
    /// Deploy the contract suite on the selected network, with the signing account as the
    /// consortium's only admin
    ///
    /// Deploys Consortium, IdentityRegistry and PreVerifier in that order, checks each one's
    /// runtime code against the committed artifacts, records the deployment in the network's
    /// profile and writes it to OUT/<network>/addresses.json for the other parties' `init
    /// --addresses`. Run again, it finds the recorded deployment (or that file) and verifies it
    /// instead of deploying twice.
    ///
    /// Example: medshare deploy --network anvil --name "St Mary Hospital"
    Deploy(DeployArgs),
    /// Network profiles: which chains this data directory reaches, and how
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Accounts (encrypted Ethereum keystores) in the data directory
    #[command(subcommand)]
    Account(AccountCommand),
    /// Inspect the chain
    #[command(subcommand)]
    Chain(ChainCommand),
    /// Consortium membership: members, roles, proposals and approvals
    #[command(subcommand)]
    Consortium(ConsortiumCommand),
    /// Anonymous identities: authority keys, registration, credentials, tokens, tracing
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Run the end-to-end demo on a fresh embedded chain in a temporary directory
    Demo(DemoArgs),
    /// Serve the data directory's embedded chain over Ethereum JSON-RPC (HTTP), for foundry's
    /// `cast`, wallets and other processes, until Ctrl-C or SIGTERM
    ///
    /// Answers the standard `eth_*` methods as geth and anvil do (reverts as error code 3 with
    /// the revert data; batches). Like the QBFT target it mines one block per block period with
    /// every transaction that arrived meanwhile (no empty blocks); --instant mines each
    /// transaction at once into a block of its own. While the node runs it holds the chain, and
    /// other medshare commands on this data directory go through it over JSON-RPC (only `chain
    /// verify` needs it stopped).
    ///
    /// Example: medshare node --port 8545 & cast block-number --rpc-url http://127.0.0.1:8545
    Node(NodeArgs),
}

/// Where `medshare node` listens.
#[derive(Debug, Args)]
pub(crate) struct NodeArgs {
    /// TCP port (0 picks a free one; the URL is printed)
    #[arg(long, default_value_t = 8545)]
    pub(crate) port: u16,
    /// Address to bind; anything but a loopback address needs --allow-remote
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub(crate) host: std::net::IpAddr,
    /// Allow binding a non-loopback address: anyone who reaches it can send transactions and
    /// read the whole chain (there is no authentication)
    #[arg(long)]
    pub(crate) allow_remote: bool,
    /// Seconds between blocks
    #[arg(long, default_value_t = 1, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600), conflicts_with = "instant")]
    pub(crate) block_time: u64,
    /// Mine every transaction at once, in a block of its own (a development node)
    #[arg(long)]
    pub(crate) instant: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IdentityCommand {
    /// Run the authorities' distributed key generation among local authority accounts, keep each
    /// share encrypted under its account, and propose the key set on chain; every authority
    /// checks it against its own view of the DKG and confirms. It takes effect once approved
    /// (see `identity key-set approve`): the first key set by the consortium's admin threshold,
    /// a later one by t authorities of the active key set
    Keygen {
        /// Accounts of the authorities (consortium members with the authority role), in order
        #[arg(long, value_delimiter = ',', required = true, value_name = "LIST")]
        authorities: Vec<String>,
        /// How many authorities it takes to issue a credential or trace a token (at least the
        /// registry's minimum, 2 by default)
        #[arg(long)]
        threshold: usize,
        /// Accounts that approve the new key set right away: consortium admins for the first
        /// key set, authorities of the active key set for a later one
        #[arg(long, value_delimiter = ',', value_name = "LIST")]
        approvers: Vec<String>,
        /// Propose a successor while a key set is active or pending (a rotation); without it,
        /// keygen refuses to replace one. The shares of earlier key sets are kept, so tokens of
        /// their epochs can still be traced
        #[arg(long)]
        rotate: bool,
    },
    /// Approve or cancel a proposed key set
    #[command(subcommand)]
    KeySet(KeySetCommand),
    /// Register the --from account as a user bound to a real identity, with these authorities
    Register {
        /// The real identity (kept by the authorities only, never on chain)
        #[arg(long)]
        rid: String,
        /// Authorities that record the registration
        #[arg(long, value_delimiter = ',', required = true, value_name = "LIST")]
        authorities: Vec<String>,
    },
    /// Obtain the current epoch's credential for the --from user by blind issuance from t
    /// authorities
    Issue {
        /// Authorities asked to sign (at least the threshold)
        #[arg(long, value_delimiter = ',', required = true, value_name = "LIST")]
        authorities: Vec<String>,
    },
    /// Make an unlinkable token of the --from user, bound to an action, a sender and a nonce
    Token(TokenArgs),
    /// Check a token against the registry without recording anything (eth_call)
    Verify {
        /// The token (hex)
        token: String,
        #[command(flatten)]
        context: TokenArgs,
    },
    /// Submit a token to the registry from the --from account (it cannot be used again)
    Use {
        /// The token (hex)
        token: String,
        #[command(flatten)]
        context: TokenArgs,
    },
    /// Trace a misused token to its user: t authorities post verifiable decryption shares
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Approve revoking a traced identity as an authority of the active key set; the t-th
    /// approval revokes it and starts the next epoch at once, so every credential it holds expires
    Revoke {
        /// Identity commitment from a completed trace
        commitment: String,
        /// Why (recorded on chain)
        #[arg(long)]
        reason: String,
    },
    /// Credential epochs
    #[command(subcommand)]
    Epoch(EpochCommand),
}

/// What a token is bound to.
#[derive(Debug, Clone, Args)]
pub(crate) struct TokenArgs {
    /// Action the token authorises (hashed into the context)
    #[arg(long, default_value = "medshare.identity.use")]
    pub(crate) action: String,
    /// Nonce or record id: a number or a 0x-prefixed 32-byte word
    #[arg(long, default_value = "0")]
    pub(crate) nonce: String,
    /// Account name or address that will submit the token [default: the --from account]
    #[arg(long)]
    pub(crate) sender: Option<String>,
    /// Contract (or account) that will consume the token [default: the sender]
    #[arg(long)]
    pub(crate) verifier: Option<String>,
    /// Make a scoped token: its nullifier is the same for every token you make in this scope
    /// (for this --verifier), so the registry accepts only one of them, now or in any later
    /// epoch; scopes cannot be linked to each other. Use it for "one request per user per
    /// record" (e.g. --scope record:42). A name is hashed (keccak256); a 0x-prefixed 32-byte
    /// word is used as is. Without --scope every token has a fresh nullifier
    #[arg(long, value_name = "NAME|WORD")]
    pub(crate) scope: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TraceCommand {
    /// Open a trace of a used token (an authority; the reason is recorded on chain)
    Request {
        /// Nullifier of the token
        nullifier: String,
        /// Why the token is traced
        #[arg(long)]
        reason: String,
    },
    /// Post this authority's verifiable decryption share (the t-th share completes the trace)
    Share {
        /// Trace id
        id: u64,
    },
    /// Resolve a completed trace to a real identity with this authority's registration table
    Show {
        /// Trace id
        id: u64,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EpochCommand {
    /// Print the current epoch
    Show,
    /// Start the next epoch (an authority, once the minimum epoch duration has passed)
    Advance,
    /// Approve leaving the current epoch now, as an authority of the active key set; the t-th
    /// approval starts the next epoch without waiting for the minimum duration
    Rotate,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeySetCommand {
    /// Approve a proposed key set as the --from account: a consortium admin for the first key
    /// set, an authority of the active key set for a later one
    Approve {
        /// The key set's hash (printed by `identity keygen`)
        key_set: String,
    },
    /// Approve cancelling a proposed or scheduled key set, as an authority of the active key
    /// set; the t-th approval cancels it
    Cancel {
        /// The key set's hash
        key_set: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Name of the account to create
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub(crate) account: String,
    /// Encrypt the keystores and identity secrets of this data directory with scrypt at geth's
    /// light cost (n = 2^12) instead of the standard n = 2^18: much faster, much weaker against
    /// password guessing; for tests and throwaway directories only
    #[arg(long)]
    pub(crate) light_kdf: bool,
    #[command(flatten)]
    pub(crate) endpoint: EndpointArgs,
    /// The deployment to join (`addresses.json` as `medshare deploy` writes it); needs a
    /// network other than `embedded`
    #[arg(long, value_name = "FILE")]
    pub(crate) addresses: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) suite: SuiteArgs,
}

/// How to reach a network over JSON-RPC.
#[derive(Debug, Args)]
pub(crate) struct EndpointArgs {
    /// JSON-RPC endpoint of the network (for `local`: http://127.0.0.1:8545)
    #[arg(long, value_name = "URL")]
    pub(crate) rpc_url: Option<String>,
    /// Chain id the endpoint must serve [default: the one it reports, or that of --addresses]
    #[arg(long, value_name = "ID")]
    pub(crate) chain_id: Option<u64>,
    /// What transactions pay for gas
    #[arg(long, value_enum, default_value_t = Fees::Free)]
    pub(crate) fees: Fees,
    /// Most blocks one log query may span on this endpoint (Besu's --rpc-max-logs-range)
    #[arg(long, value_name = "BLOCKS")]
    pub(crate) log_range: Option<std::num::NonZeroU64>,
}

/// The constructor settings of a new deployment, fixed for its life.
#[derive(Debug, Args)]
pub(crate) struct SuiteArgs {
    /// Institution name of the bootstrap admin, recorded on chain (at most 32 bytes of UTF-8,
    /// no control characters)
    #[arg(long, default_value = "bootstrap admin")]
    pub(crate) name: String,
    /// Shortest credential epoch in seconds (authorities advance epochs no faster, unless t of
    /// them approve an early rotation)
    #[arg(long, default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) epoch_duration: u64,
    /// Smallest threshold t any key set of the identity registry may have, fixed for good:
    /// tracing, issuing and every key-set change always need at least this many authorities
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=16))]
    pub(crate) min_threshold: u8,
    /// Smallest number of authorities n any key set may have, fixed for good (at least
    /// --min-threshold)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=16))]
    pub(crate) min_authorities: u8,
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    #[command(flatten)]
    pub(crate) suite: SuiteArgs,
    /// Directory of the deployment records: the record goes to OUT/<network>/addresses.json
    #[arg(long, default_value = "deployments", value_name = "OUT")]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NetworkCommand {
    /// Add a network reached over JSON-RPC (its chain id is read and checked now)
    ///
    /// Example: medshare network add anvil --rpc-url http://127.0.0.1:8546 --fees market
    Add {
        /// Name of the profile: 1 to 32 letters, digits, '-' and '_'
        name: String,
        #[command(flatten)]
        endpoint: EndpointArgs,
    },
    /// List the networks of this data directory
    List,
    /// Show one network's profile and deployment [default: the selected network]
    Show {
        /// Name of the profile
        name: Option<String>,
    },
    /// Forget a network profile (nothing on the chain changes)
    Remove {
        /// Name of the profile
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Create a new account (password of at least 8 characters, from MEDSHARE_PASSWORD or a
    /// prompt)
    New {
        /// Name of the account: 1 to 32 letters, digits, '-' and '_'
        name: String,
        /// Encrypt it with scrypt at geth's light cost (n = 2^12) instead of the standard
        /// n = 2^18 (the default of a directory made with `init --light-kdf`)
        #[arg(long)]
        light_kdf: bool,
    },
    /// List the accounts and their addresses
    List,
    /// Print the address of an account
    Address {
        /// Name of the account [default: the default account]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ChainCommand {
    /// Chain id, latest block and contract addresses
    Status,
    /// Check the whole embedded chain file for damage
    ///
    /// Checks every stored value against its checksum, the state against the head block's state
    /// digest, every block against its parent and its chain digest, every transaction against
    /// its receipt, and the head against chain/HEAD (which catches a database that went back to
    /// an older state). Exits 1 and names the first damage found; nothing is repaired.
    Verify,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConsortiumCommand {
    /// List current members with their roles
    Members,
    /// Propose a change; it executes once enough admins approve (the proposer counts as one)
    Propose(ProposeArgs),
    /// Approve a pending proposal
    Approve {
        /// Proposal id
        id: u64,
    },
    /// Cancel a pending proposal (its proposer, or any admin once it is stale or expired)
    Cancel {
        /// Proposal id
        id: u64,
    },
    /// Show a proposal
    Proposal {
        /// Proposal id
        id: u64,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ProposeArgs {
    /// The change to propose
    #[arg(value_enum)]
    pub(crate) action: ProposalAction,
    /// Member address (add, remove, set-roles) or the new threshold (set-threshold)
    pub(crate) target: String,
    /// Roles for add / set-roles, comma separated: admin, hospital, research, authority, proxy
    #[arg(long, value_name = "LIST")]
    pub(crate) roles: Option<String>,
    /// Institution name for add (at most 32 bytes of UTF-8, no control characters)
    #[arg(long, default_value = "")]
    pub(crate) name: String,
}

/// Kinds of consortium change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProposalAction {
    /// Add a member with --roles
    Add,
    /// Remove a member
    Remove,
    /// Replace a member's roles with --roles
    SetRoles,
    /// Change the number of admin approvals a proposal needs
    SetThreshold,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the demo's data directory instead of deleting it (its path is printed)
    #[arg(long)]
    pub(crate) keep: bool,
}
